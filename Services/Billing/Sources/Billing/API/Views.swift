import Contracts
import Foundation
import Hummingbird

/// GET /v1/billing/account: the wallet and its settings (BI-31), with the balance available after reservations.
struct AccountView: ResponseCodable {
    var companyID: CompanyID
    var plan: Plan
    var pendingPlan: Plan?
    var billingDay: Int
    /// D-29: the company's time zone (set in CallRouter's settings), whose midnights begin its cycles and months.
    var timeZone: String
    /// When the next billing cycle begins (BI-27), on the company's clock.
    var nextCycleAt: Date?
    var status: AccountStatus
    var balance: Money
    var reserved: Money
    var available: Money
    var lowBalance: Money
    var minimumBalance: Money
    var creditLimit: Money
    var minimumTopUp: Money
    var autoRecharge: Bool
    /// BI-06, NO-14: the red "Low Balance" banner: WhatsApp sends are blocked below ₹1.
    var lowBalanceBanner: Bool
    var billingName: String?
    var billingEmail: String?
    var gstin: String?
    var suspendedAt: Date?
    /// Why the services are stopped: the balance (D-19, refresh once paid), an expired plan (BI-22, renew), or both;
    /// empty while they run.
    var suspensionReasons: [AccountSuspended.Reason]
    /// BI-20: when the plan the next year is paid on (`pending_plan`) takes effect.
    var pendingPlanFrom: Date?
    /// BI-20, BI-22: the end of the paid plan year, and from when "Renew Plan" is open.
    var planPaidUntil: Date
    var renewalOpensAt: Date
    var planLapsedAt: Date?
    var promoSMSCredits: PromoSMSCreditsView

    init(_ account: Account, reserved: Money, promoSMSCredits: PromoSMSCreditsView) {
        companyID = account.companyID
        plan = account.plan
        pendingPlan = account.pendingPlan
        billingDay = account.billingDay
        timeZone = account.timeZone.identifier
        nextCycleAt = account.nextCycleAt
        status = account.serving ? .active : .suspended
        balance = account.balance
        self.reserved = reserved
        available = account.balance - reserved
        lowBalance = account.thresholds.lowBalance
        minimumBalance = account.thresholds.minimumBalance
        creditLimit = account.thresholds.creditLimit
        minimumTopUp = account.minimumTopUp
        autoRecharge = account.autoRecharge
        lowBalanceBanner = account.balance - reserved < BalanceThresholds.whatsappMinimum
        billingName = account.billingName
        billingEmail = account.billingEmail
        gstin = account.gstin
        suspendedAt = account.suspendedAt ?? account.planLapsedAt
        suspensionReasons = (account.status == .suspended ? [.creditLimit] : []) + (account.planLapsedAt != nil ? [.planExpired] : [])
        pendingPlanFrom = account.pendingPlanFrom
        planPaidUntil = account.planPaidUntil
        renewalOpensAt = PlanRenewal.opensAt(paidUntil: account.planPaidUntil)
        planLapsedAt = account.planLapsedAt
        self.promoSMSCredits = promoSMSCredits
    }

    enum CodingKeys: String, CodingKey {
        case plan, status, balance, reserved, available, gstin
        case companyID = "company_id"
        case pendingPlan = "pending_plan"
        case billingDay = "billing_day"
        case timeZone = "time_zone"
        case nextCycleAt = "next_cycle_at"
        case lowBalance = "low_balance"
        case minimumBalance = "minimum_balance"
        case creditLimit = "credit_limit"
        case minimumTopUp = "minimum_topup"
        case autoRecharge = "auto_recharge"
        case lowBalanceBanner = "low_balance_banner"
        case promoSMSCredits = "promo_sms_credits"
        case billingName = "billing_name"
        case billingEmail = "billing_email"
        case suspendedAt = "suspended_at"
        case suspensionReasons = "suspension_reasons"
        case pendingPlanFrom = "pending_plan_from"
        case planPaidUntil = "plan_paid_until"
        case renewalOpensAt = "renewal_opens_at"
        case planLapsedAt = "plan_lapsed_at"
    }
}

/// BI-17: this month's promotional SMS credits, one per segment.
struct PromoSMSCreditsView: Codable, Sendable {
    /// The calendar month, `yyyy-MM`.
    var month: String
    var allowance: Int64
    var used: Int64
    var remaining: Int64
    /// When what is left lapses: the month's end on the company's clock.
    var lapsesAt: Date

    init(month: BillingCycle, allowance: Int64, used: Int64) {
        self.month = String(month.label.prefix(7))
        self.allowance = allowance
        self.used = used
        remaining = PromoSMSCredits.remaining(allowance: allowance, used: used)
        lapsesAt = month.end
    }

    enum CodingKeys: String, CodingKey {
        case month, allowance, used, remaining
        case lapsesAt = "lapses_at"
    }
}

struct LedgerEntryView: ResponseCodable {
    var id: Int64
    var source: String
    var kind: String
    var debit: String
    var credit: String
    var amount: Money
    /// The entry's effect on the wallet: negative for charges, positive for payments and credits.
    var walletAmount: Money
    var quantity: Int64?
    var description: String
    var occurredAt: Date
    var recordedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, source, kind, debit, credit, amount, quantity, description
        case walletAmount = "wallet_amount"
        case occurredAt = "occurred_at"
        case recordedAt = "recorded_at"
    }
}

struct PaymentView: ResponseCodable {
    var id: PaymentID
    var purpose: PaymentPurpose
    /// The number bought or the plan upgraded to.
    var subject: String?
    var lines: [InvoiceDocument.Line]
    /// D-19: an auto-recharge the platform started.
    var automatic: Bool
    var amount: Money
    var gst: Money
    var totalPayable: Money
    var method: PaymentMethod
    var status: PaymentStatus
    var offlineCode: String?
    var providerReference: String?
    var failureReason: String?
    /// `review`: what the provider reported capturing.
    var capturedAmount: Money?
    /// Online payments: where the customer completes the payment with the provider.
    var checkoutURL: String?
    var createdAt: Date
    var completedAt: Date?

    init(_ payment: Payment, checkoutBase: String?) {
        id = payment.id
        purpose = payment.purpose
        subject = payment.subject
        lines = payment.lines
        automatic = payment.automatic
        amount = payment.amount
        gst = payment.gst
        totalPayable = payment.total
        method = payment.method
        status = payment.status
        offlineCode = payment.offlineCode
        providerReference = payment.providerReference
        failureReason = payment.failureReason
        capturedAmount = payment.capturedAmount
        checkoutURL = payment.method == .online && payment.status == .pending ? checkoutBase.map { "\($0)/payments/checkout/\(payment.id)?amount=\(payment.total.paise)" } : nil
        createdAt = payment.createdAt
        completedAt = payment.completedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, purpose, subject, lines, automatic, amount, gst, method, status
        case totalPayable = "total_payable"
        case offlineCode = "offline_code"
        case providerReference = "provider_reference"
        case failureReason = "failure_reason"
        case capturedAmount = "captured_amount"
        case checkoutURL = "checkout_url"
        case createdAt = "created_at"
        case completedAt = "completed_at"
    }
}

struct ReservationView: ResponseCodable {
    var id: ReservationID
    var reference: String?
    var amount: Money
    var captured: Money
    /// D-15: charged while the hold was in force (the campaign's conversations), counted in the capture.
    var drawn: Money
    var status: String
    var expiresAt: Date
    var createdAt: Date
    var settledAt: Date?

    init(_ reservation: Reservation, now: Date = Date()) {
        id = reservation.id
        reference = reservation.reference
        amount = reservation.amount
        captured = reservation.captured
        drawn = reservation.drawn
        status = reservation.displayStatus(now: now)
        expiresAt = reservation.expiresAt
        createdAt = reservation.createdAt
        settledAt = reservation.settledAt
    }

    enum CodingKeys: String, CodingKey {
        case id, reference, amount, captured, drawn, status
        case expiresAt = "expires_at"
        case createdAt = "created_at"
        case settledAt = "settled_at"
    }
}

struct QuoteView: ResponseCodable {
    var estimate: Money
    var balance: Money
    var reserved: Money
    var sufficient: Bool
    /// What the wallet must keep after the campaign (BI-07).
    var minimumRemaining: Money

    enum CodingKeys: String, CodingKey {
        case estimate, balance, reserved, sufficient
        case minimumRemaining = "minimum_remaining"
    }
}

struct InvoiceView: ResponseCodable {
    var id: InvoiceID
    var kind: InvoiceDocument.Kind
    var number: String
    var reason: String
    var billingName: String?
    var gstin: String?
    var lines: [InvoiceDocument.Line]
    var taxable: Money
    var gst: Money
    var total: Money
    var issuedAt: Date

    init(_ invoice: Invoice) {
        id = invoice.id
        kind = invoice.kind
        number = invoice.number
        reason = invoice.reason
        billingName = invoice.billingName
        gstin = invoice.gstin
        lines = invoice.document.lines
        taxable = invoice.document.taxable
        gst = invoice.document.gst
        total = invoice.document.total
        issuedAt = invoice.issuedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, number, reason, gstin, lines, taxable, gst, total
        case billingName = "billing_name"
        case issuedAt = "issued_at"
    }
}

struct RateCardView: ResponseCodable {
    var plan: Plan
    var pulseSeconds: Int
    var rates: [String: Money]

    enum CodingKeys: String, CodingKey {
        case plan, rates
        case pulseSeconds = "pulse_seconds"
    }
}

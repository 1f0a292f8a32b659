public import Foundation

/// `billing.balance.low` (D-19, BI-04): the balance fell below the low-balance alert threshold.
public struct BalanceLow: Event {
    public static let type = EventType.billingBalanceLow
    public var balance: Money
    public var threshold: Money

    public init(balance: Money, threshold: Money) {
        self.balance = balance
        self.threshold = threshold
    }
}

/// `billing.balance.minimum` (D-19): the balance fell below the minimum balance; the final warning.
public struct BalanceMinimum: Event {
    public static let type = EventType.billingBalanceMinimum
    public var balance: Money
    public var threshold: Money

    public init(balance: Money, threshold: Money) {
        self.balance = balance
        self.threshold = threshold
    }
}

/// `billing.account.suspended` (D-19, BI-03, BI-09, BI-22): the balance went below the credit limit, or the plan expired
/// unpaid; services pause.
public struct AccountSuspended: Event {
    public static let type = EventType.billingAccountSuspended

    public enum Reason: String, Codable, Sendable {
        case creditLimit = "credit_limit"
        case planExpired = "plan_expired"
    }

    public var balance: Money
    public var creditLimit: Money
    public var suspendedAt: Date
    /// Absent in events from before plan renewals: those were all `creditLimit`.
    public var reason: Reason?

    public init(balance: Money, creditLimit: Money, suspendedAt: Date, reason: Reason) {
        self.balance = balance
        self.creditLimit = creditLimit
        self.suspendedAt = suspendedAt
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case balance, reason
        case creditLimit = "credit_limit"
        case suspendedAt = "suspended_at"
    }
}

/// `billing.plan.expiring` (BI-22, NO-06): a renewal reminder, 30, 15, 7 or 1 days before the paid plan year ends, for
/// Notifications to mail with a Pay Now link (its consumer is not built yet; Notifications binds `billing.#`).
public struct PlanExpiring: Event {
    public static let type = EventType.billingPlanExpiring
    public var plan: String
    public var expiresAt: Date
    /// The reminder of the schedule this is (30, 15, 7 or 1).
    public var reminder: Int
    /// Whole days left, rounded up: fewer than `reminder` when the reminder went out late.
    public var daysLeft: Int
    /// The renewal's price for the year, its GST and what the customer pays.
    public var amount: Money
    public var gst: Money
    public var total: Money

    public init(plan: String, expiresAt: Date, reminder: Int, daysLeft: Int, amount: Money, gst: Money, total: Money) {
        self.plan = plan
        self.expiresAt = expiresAt
        self.reminder = reminder
        self.daysLeft = daysLeft
        self.amount = amount
        self.gst = gst
        self.total = total
    }

    enum CodingKeys: String, CodingKey {
        case plan, reminder, amount, gst, total
        case expiresAt = "expires_at"
        case daysLeft = "days_left"
    }
}

/// `billing.account.resumed` (BI-03): the customer paid and refreshed; services run again.
public struct AccountResumed: Event {
    public static let type = EventType.billingAccountResumed
    public var balance: Money
    public var resumedAt: Date

    public init(balance: Money, resumedAt: Date) {
        self.balance = balance
        self.resumedAt = resumedAt
    }

    enum CodingKeys: String, CodingKey {
        case balance
        case resumedAt = "resumed_at"
    }
}

/// `billing.invoice.issued` (D-22): an invoice or a credit note was issued; Notifications mails it.
public struct InvoiceIssued: Event {
    public static let type = EventType.billingInvoiceIssued

    public enum Kind: String, Codable, Sendable {
        case invoice
        case creditNote = "credit_note"
    }

    public var invoiceID: InvoiceID
    public var number: String
    public var kind: Kind
    public var reason: String
    public var taxable: Money
    public var gst: Money
    public var total: Money
    public var issuedAt: Date

    public init(invoiceID: InvoiceID, number: String, kind: Kind, reason: String, taxable: Money, gst: Money, total: Money, issuedAt: Date) {
        self.invoiceID = invoiceID
        self.number = number
        self.kind = kind
        self.reason = reason
        self.taxable = taxable
        self.gst = gst
        self.total = total
        self.issuedAt = issuedAt
    }

    enum CodingKeys: String, CodingKey {
        case number, kind, reason, taxable, gst, total
        case invoiceID = "invoice_id"
        case issuedAt = "issued_at"
    }
}

/// `billing.did.activated` (BI-19): a number's purchase was paid, so the number is the company's. CallRouter lets a
/// company route only the numbers it rents.
public struct NumberActivated: Event {
    public static let type = EventType.billingNumberActivated
    public var number: PhoneNumber
    public var activatedAt: Date

    public init(number: PhoneNumber, activatedAt: Date) {
        self.number = number
        self.activatedAt = activatedAt
    }

    enum CodingKeys: String, CodingKey {
        case number
        case activatedAt = "activated_at"
    }
}

/// `billing.did.released` (BI-19): the company gave the number back; it no longer routes its calls.
public struct NumberReleased: Event {
    public static let type = EventType.billingNumberReleased
    public var number: PhoneNumber
    public var releasedAt: Date

    public init(number: PhoneNumber, releasedAt: Date) {
        self.number = number
        self.releasedAt = releasedAt
    }

    enum CodingKeys: String, CodingKey {
        case number
        case releasedAt = "released_at"
    }
}

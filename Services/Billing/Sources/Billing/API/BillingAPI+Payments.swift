import Contracts
import Crypto
import Foundation
import Hummingbird
import Logging
import ServiceKit
import Storage

extension BillingAPI {
    /// BI-37, BI-33: start a recharge. Online: the answer carries the provider's checkout URL. Offline (NEFT,
    /// RTGS, IMPS, cheque): the bank reference code is recorded. Either way the wallet is credited only when the
    /// provider confirms the money on the webhook.
    @Sendable func createPayment(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<PaymentView> {
        let company = try context.require("billing.pay", roles: Self.walletRoles).companyID
        let body = try await request.decode(as: PaymentRequest.self, context: context)
        let now = Date()
        let payment = try await database.withTransaction { transaction in
            let account = try await AccountStore.lock(company, in: transaction)
            if let violation = PaymentRules.validate(
                amount: body.amount, method: body.method, offlineCode: body.offlineCode, minimumTopUp: account.minimumTopUp)
            {
                throw Self.error(violation)
            }
            let payment = Payment(
                id: PaymentID(), purpose: .recharge,
                lines: [.init(description: "Prepaid wallet recharge (\(body.method.label))", quantity: 1, amount: body.amount)],
                companyID: company, amount: body.amount, gst: PaymentRules.payable(amount: body.amount).gst, method: body.method,
                status: .pending, offlineCode: body.offlineCode, createdAt: now)
            guard try await PaymentStore.insert(payment, in: transaction) else {
                throw APIError.conflict(
                    "payment.offline_code.used", "This offline payment code was already applied to your account.", field: "offline_code")
            }
            return payment
        }
        return EditedResponse(status: .created, response: PaymentView(payment, checkoutBase: checkoutBase))
    }

    @Sendable func payments(_ request: Request, context: AppRequestContext) async throws -> Page<PaymentView> {
        let company = try context.require("billing.read", roles: Self.walletRoles).companyID
        let list = try await PaymentStore.list(company: company, limit: 100, in: database)
        return Page(items: list.map { PaymentView($0, checkoutBase: checkoutBase) }, next: nil)
    }

    @Sendable func payment(_ request: Request, context: AppRequestContext) async throws -> PaymentView {
        let company = try context.require("billing.read", roles: Self.walletRoles).companyID
        let id = try context.id("id", as: PaymentID.self)
        let payment = try await database.withTransaction { transaction in
            try await PaymentStore.find(id, company: company, forUpdate: false, in: transaction)
        }
        guard let payment else { throw APIError.notFound("payment") }
        return PaymentView(payment, checkoutBase: checkoutBase)
    }

    /// The payment provider's callback, authenticated by `X-Payment-Signature: sha256=<hex HMAC-SHA256 of the raw
    /// body>`. A captured payment delivers what it bought (wallet credit, number, plan upgrade) and issues its
    /// invoice at once (BI-26); a failed one is only recorded (no invoice, and a number it held is freed). Replays
    /// of a settled payment change nothing.
    @Sendable func paymentWebhook(_ request: Request, context: AppRequestContext) async throws -> PaymentView {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let body = Data(buffer.readableBytesView)
        guard let signature = request.header(Self.signatureHeader), WebhookSignature.verify(signature, body: body, key: webhookKey) else {
            throw APIError(.unauthorized, code: "webhook.signature_invalid", message: "The X-Payment-Signature header does not match the body.")
        }
        let notification: PaymentNotification
        do {
            notification = try JSONCoding.decoder().decode(PaymentNotification.self, from: body)
        } catch let error as DecodingError {
            throw APIError.decoding(error)
        }
        let now = Date()
        let payment = try await database.withTransaction { transaction -> Payment in
            guard var payment = try await PaymentStore.find(notification.paymentID, company: nil, forUpdate: true, in: transaction) else {
                throw APIError.notFound("payment")
            }
            switch notification.event {
            case .failed:
                guard payment.status == .pending else { return payment }
                payment.status = .failed
                payment.failureReason = notification.reason.map(Self.storable) ?? "declined by the payment provider"
                if payment.purpose == .didPurchase, let number = payment.subject {
                    try await DIDStore.abandon(number: number, payment: payment.id, in: transaction)
                }
            case .captured:
                switch CaptureDecision(status: payment.status, captured: notification.amount, payable: payment.total) {
                case .replay:
                    return payment
                case .hold:
                    let captured = notification.amount.map(\.description) ?? "an unstated amount"
                    context.logger.error(
                        "payment captured for another amount than payable; held for review",
                        metadata: ["payment_id": "\(payment.id)", "company_id": "\(payment.companyID)", "captured": "\(captured)", "payable": "\(payment.total)"])
                    payment.status = .review
                    payment.capturedAmount = notification.amount
                    payment.failureReason = "the provider captured \(captured) where \(payment.total) was payable; held for review"
                    if payment.purpose == .didPurchase, let number = payment.subject {
                        try await DIDStore.abandon(number: number, payment: payment.id, in: transaction)
                    }
                case .settle:
                    try await settle(payment, now: now, in: transaction)
                    payment.status = .succeeded
                    payment.failureReason = nil
                    payment.capturedAmount = nil
                }
            }
            payment.providerReference = notification.providerReference.map(Self.storable)
            payment.completedAt = now
            try await PaymentStore.complete(payment, in: transaction)
            return payment
        }
        return PaymentView(payment, checkoutBase: checkoutBase)
    }

    /// A captured payment delivers what it bought and issues its invoice (BI-26), in the webhook's transaction. A
    /// purchase that can no longer be delivered credits the wallet instead (`PaymentDelivery`).
    private func settle(_ payment: Payment, now: Date, in transaction: Transaction) async throws {
        var account = try await AccountStore.lock(payment.companyID, in: transaction)
        let source = "payment:\(payment.id)"
        var postings: [Posting] = []
        func receipt(_ kind: String, _ line: InvoiceDocument.Line, source: String, credit: String) -> Posting {
            Posting(
                companyID: payment.companyID, source: source, kind: kind, debit: "receipts", credit: credit, amount: line.amount,
                quantity: nil, description: line.description, occurredAt: now)
        }
        let number = payment.subject ?? ""
        let plan = payment.subject.flatMap(Plan.init(rawValue:))
        let deliverable: Bool
        switch payment.purpose {
        case .recharge: deliverable = false
        case .didPurchase:
            // A purchase that lapsed unpaid, or was held for review, gave its number back; it is taken again if nobody else
            // holds it now.
            if try await DIDStore.activate(number: number, payment: payment.id, company: payment.companyID, now: now, in: transaction) {
                deliverable = true
            } else if payment.status == .failed || payment.status == .review {
                deliverable = try await DIDStore.reinstate(number: number, payment: payment.id, company: payment.companyID, now: now, in: transaction)
            } else {
                deliverable = false
            }
        case .planUpgrade:
            let current = UpgradeBasis(
                plan: account.plan, yearStart: PlanChange.yearStart(planStartedAt: account.planStartedAt, at: now), paidUntil: account.planPaidUntil)
            deliverable = plan.flatMap { plan in payment.upgradeBasis.map { PlanChange.stillBuys(plan, pricedFrom: $0, now: current) } } ?? false
        case .planRenewal:
            let current = RenewalBasis(plan: account.renewalPlan, paidUntil: account.planPaidUntil)
            deliverable = payment.renewalBasis.map { PlanRenewal.stillRenews($0, now: current) } ?? false
        }
        var reason = payment.purpose.rawValue
        var lines = payment.lines
        switch PaymentDelivery(purpose: payment.purpose, deliverable: deliverable) {
        case .walletCredit:
            let description = payment.purpose == .recharge
                ? "Recharge by \(payment.method.label)"
                : "Wallet credit: payment for \(payment.subject ?? payment.purpose.rawValue) received after the purchase could no longer be made"
            let line = InvoiceDocument.Line(description: description, quantity: 1, amount: payment.amount)
            postings.append(receipt("payment", line, source: source, credit: Posting.wallet))
            if payment.purpose != .recharge {
                reason = PaymentPurpose.recharge.rawValue
                lines = [line]
            }
        case .purchase where payment.purpose == .didPurchase:
            // Paid directly, not from the wallet: the books record the revenue, the wallet does not move. This
            // cycle's rental is recorded under the cycle's rental source, so the cycle job never charges it again.
            if let phone = PhoneNumber(e164: number) {
                // CallRouter routes only numbers their company rents.
                try await outbox.enqueue(
                    Envelope(companyID: payment.companyID, occurredAt: now, data: NumberActivated(number: phone, activatedAt: now)), in: transaction)
            }
            // The cycle the rental was priced for: the one the purchase was made in.
            let cycle = BillingCycle.containing(payment.createdAt, billingDay: account.billingDay)
            for (index, line) in payment.lines.enumerated() where line.amount > .zero {
                postings.append(index == 0
                    ? receipt("did_setup", line, source: "did_setup:\(number):\(payment.id)", credit: "revenue:did_setup")
                    : receipt("did_rental", line, source: Posting.rentalSource(number: number, cycle: cycle), credit: "revenue:did_rental"))
            }
            // Paid after that cycle ended (the cycle job found the number still unpaid): this cycle's rental comes
            // from the wallet, under the source the cycle job uses, so neither charges it twice.
            let current = BillingCycle.containing(now, billingDay: account.billingDay)
            if current.label != cycle.label, let rental = try await RateCardStore.load(in: transaction)[account.plan]?.rate(.didRental), rental > .zero {
                postings.append(Posting(
                    companyID: payment.companyID, source: Posting.rentalSource(number: number, cycle: current), kind: "did_rental", debit: Posting.wallet,
                    credit: "revenue:did_rental", amount: rental, quantity: nil,
                    description: "Number rental \(number), cycle from \(current.label)", occurredAt: now))
            }
        case .purchase where payment.purpose == .planRenewal:
            try await renew(&account, into: plan ?? account.renewalPlan, now: now, in: transaction)
            postings += payment.lines.filter { $0.amount > .zero }.map { receipt("plan", $0, source: source, credit: "revenue:plan") }
        case .purchase:
            if let plan {
                account.plan = plan
                account.pendingPlan = nil
                try await AccountStore.save(account, in: transaction)
            }
            postings += payment.lines.filter { $0.amount > .zero }.map { receipt("plan", $0, source: source, credit: "revenue:plan") }
        }
        try await Wallet.append(postings, accounts: [payment.companyID: account], outbox: outbox, now: now, in: transaction)
        try await InvoiceStore.issue(
            kind: .invoice, reason: reason, source: source, lines: lines, account: account, outbox: outbox, now: now, in: transaction)
    }

    /// BI-20, BI-22: a paid renewal adds its year. A lapsed plan comes back as the plan the renewal was priced for (a
    /// queued downgrade's), and the company's services with it unless its balance keeps them suspended.
    private func renew(_ account: inout Account, into plan: Plan, now: Date, in transaction: Transaction) async throws {
        let wasLapsed = account.planLapsedAt != nil
        let year = PlanRenewal.renewed(paidUntil: account.planPaidUntil, lapsed: wasLapsed, now: now)
        if let startsAt = year.yearStartsAt {
            account.planStartedAt = startsAt
            account.plan = plan
            account.pendingPlan = nil
        }
        account.planPaidUntil = year.paidUntil
        account.planLapsedAt = nil
        account.renewalReminded = nil
        account.renewalStepAt = PlanRenewal.opensAt(paidUntil: year.paidUntil)
        try await AccountStore.save(account, in: transaction)
        if wasLapsed && account.status == .active {
            try await outbox.enqueue(
                Envelope(companyID: account.companyID, occurredAt: now, data: AccountResumed(balance: account.balance, resumedAt: now)), in: transaction)
        }
    }

    static let signatureHeader = "X-Payment-Signature"

    /// The provider's free text without NUL bytes, which PostgreSQL cannot store: a capture must not be refused, on
    /// every retry of the webhook, for a stray byte in its reference.
    static func storable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\u{0}" }))
    }

    static func error(_ violation: PaymentRules.Violation) -> APIError {
        switch violation {
        case .belowMinimumTopUp(let minimum):
            .unprocessable("payment.below_minimum_topup", "A recharge must be at least your minimum top-up of \(minimum).", field: "amount")
        case .tooLarge(let maximum):
            .unprocessable("payment.too_large", "A single recharge can be at most \(maximum); contact your account manager.", field: "amount")
        case .offlineCodeMissing:
            .unprocessable("payment.offline_code.missing", "An offline payment needs the bank's reference code.", field: "offline_code")
        case .offlineCodeInvalid:
            .unprocessable(
                "payment.offline_code.invalid", "The offline payment code has 6 to 30 letters and digits (UTR or cheque number).",
                field: "offline_code")
        case .offlineCodeNotExpected:
            .unprocessable("payment.offline_code.unexpected", "Only NEFT, RTGS, IMPS and cheque payments carry an offline code.", field: "offline_code")
        }
    }
}

extension PaymentMethod {
    var label: String { self == .online ? "online payment" : rawValue == "cheque" ? "cheque" : rawValue.uppercased() }
}

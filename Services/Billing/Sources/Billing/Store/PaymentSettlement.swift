import Contracts
import Foundation
import Storage

/// BI-26, BI-32: what a captured payment does, whether the provider's webhook or an operator settles it.
struct PaymentSettlement {
    let outbox: Outbox

    /// A captured payment delivers what it bought and issues its invoice (BI-26), in the webhook's transaction. A
    /// purchase that can no longer be delivered credits the wallet instead (`PaymentDelivery`).
    func settle(_ payment: Payment, now: Date, in transaction: Transaction) async throws {
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
            // An expired plan has no paid days left for the upgrade to be priced on.
            // Nor can a plan whose next year is already paid on another plan change before that year starts.
            let paidDaysLeft = account.planLapsedAt == nil && now < account.planPaidUntil && account.pendingPlanFrom == nil
            deliverable = paidDaysLeft
                && (plan.flatMap { plan in payment.upgradeBasis.map { PlanChange.stillBuys(plan, pricedFrom: $0, now: current) } } ?? false)
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
            // The cycle the rental was priced for, as it was priced (payments from before that was kept: the one the
            // purchase was made in).
            let priced = payment.rentalCycle
                ?? BillingCycle.containing(payment.createdAt, billingDay: account.billingDay, timeZone: account.timeZone).label
            for (index, line) in payment.lines.enumerated() where line.amount > .zero {
                postings.append(index == 0
                    ? receipt("did_setup", line, source: "did_setup:\(number):\(payment.id)", credit: "revenue:did_setup")
                    : receipt("did_rental", line, source: Posting.rentalSource(number: number, cycleLabel: priced), credit: "revenue:did_rental"))
            }
            // Paid after that cycle ended (the cycle job found the number still unpaid): this cycle's rental comes
            // from the wallet, under the source the cycle job uses, so neither charges it twice.
            let current = BillingCycle.current(
                now: now, nextCycleAt: account.nextCycleAt, billingDay: account.billingDay, timeZone: account.timeZone)
            if current.label > priced, let rental = try await RateCardStore.load(in: transaction)[account.plan]?.rate(.didRental), rental > .zero {
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
                account.pendingPlanFrom = nil
                try await AccountStore.save(account, in: transaction)
            }
            postings += payment.lines.filter { $0.amount > .zero }.map { receipt("plan", $0, source: source, credit: "revenue:plan") }
        }
        try await Wallet.append(postings, accounts: [payment.companyID: account], outbox: outbox, now: now, in: transaction)
        try await InvoiceStore.issue(
            kind: .invoice, reason: reason, source: source, lines: lines, account: account, outbox: outbox, now: now, in: transaction)
    }

    /// BI-20, BI-21, BI-22: a paid renewal adds its year. Into another plan (a queued downgrade's), that plan takes
    /// effect when the current year ends and is fixed from now on. A lapsed plan comes back as the plan the renewal was
    /// priced for, and the company's services with it unless its balance keeps them suspended.
    private func renew(_ account: inout Account, into plan: Plan, now: Date, in transaction: Transaction) async throws {
        let lapsedAt = account.planLapsedAt
        let year = PlanRenewal.renewed(paidUntil: account.planPaidUntil, lapsed: lapsedAt != nil, now: now)
        if let startsAt = year.yearStartsAt {
            account.planStartedAt = startsAt
            account.plan = plan
            account.pendingPlan = nil
            account.pendingPlanFrom = nil
        } else if plan != account.plan {
            account.pendingPlan = plan
            account.pendingPlanFrom = account.planPaidUntil
        }
        account.planPaidUntil = year.paidUntil
        account.planLapsedAt = nil
        account.renewalReminded = nil
        account.renewalStepAt = account.nextRenewalStep(after: PlanRenewal.opensAt(paidUntil: year.paidUntil))
        try await AccountStore.save(account, in: transaction)
        if let lapsedAt, account.status == .active {
            // Consumers keep the newest of suspended and resumed by time: this one must come after the lapse's,
            // whichever replica's clock stamped that.
            let resumedAt = max(Date(), lapsedAt.addingTimeInterval(0.001))
            try await outbox.enqueue(
                Envelope(companyID: account.companyID, occurredAt: resumedAt, data: AccountResumed(balance: account.balance, resumedAt: resumedAt)),
                in: transaction)
        }
    }

    /// BI-32: an operator keeps the amount the provider did capture for a payment held for review: the wallet gets its
    /// taxable part (a paisa rounding leaves over goes to the wallet too), invoiced as a recharge. Nothing it would
    /// have bought is delivered: the customer paid another price for it.
    func creditCaptured(_ payment: Payment, captured: Money, now: Date, in transaction: Transaction) async throws {
        let account = try await AccountStore.lock(payment.companyID, in: transaction)
        let split = Tax.split(gross: captured)
        let source = "payment:\(payment.id)"
        let line = InvoiceDocument.Line(
            description: "Wallet credit: payment captured for \(captured) where \(payment.total) was payable, reconciled with the provider",
            quantity: 1, amount: split.taxable)
        var postings: [Posting] = []
        if split.taxable > .zero {
            postings.append(Posting(
                companyID: payment.companyID, source: source, kind: "payment", debit: "receipts", credit: Posting.wallet,
                amount: split.taxable, quantity: nil, description: line.description, occurredAt: now))
        }
        if split.remainder > .zero {
            postings.append(Posting(
                companyID: payment.companyID, source: "\(source):rounding", kind: "payment", debit: "receipts", credit: Posting.wallet,
                amount: split.remainder, quantity: nil, description: "Rounding of the captured amount \(captured)", occurredAt: now))
        }
        try await Wallet.append(postings, accounts: [payment.companyID: account], outbox: outbox, now: now, in: transaction)
        if split.taxable > .zero {
            try await InvoiceStore.issue(
                kind: .invoice, reason: PaymentPurpose.recharge.rawValue, source: source, lines: [line], account: account, outbox: outbox,
                now: now, in: transaction)
        }
    }
}

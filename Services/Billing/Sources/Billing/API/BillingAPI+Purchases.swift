import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

/// Purchases paid through the payment provider rather than from the wallet: numbers (BI-19), plan upgrades (BI-21)
/// and plan renewals (BI-20, BI-22). Each answers with a pending payment; what it buys is delivered when the provider captures it.
extension BillingAPI {
    struct NumberRequest: Decodable {
        var number: PhoneNumber
    }

    struct PlanRequest: Decodable {
        var plan: Plan
    }

    struct NumberView: ResponseCodable {
        var number: String
        var status: RentedNumber.Status
        var purchasedAt: Date?
        var releasedAt: Date?

        init(_ rented: RentedNumber) {
            number = rented.number
            status = rented.status
            purchasedAt = rented.purchasedAt
            releasedAt = rented.releasedAt
        }

        enum CodingKeys: String, CodingKey {
            case number, status
            case purchasedAt = "purchased_at"
            case releasedAt = "released_at"
        }
    }

    /// BI-19, D-22: ₹1,000 setup plus the rental for the days left in the cycle, GST on top.
    @Sendable func buyNumber(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<PaymentView> {
        let company = try context.require("billing.pay", roles: Self.walletRoles).companyID
        let body = try await request.decode(as: NumberRequest.self, context: context)
        let now = Date()
        let payment = try await database.withTransaction { transaction in
            let account = try await AccountStore.lock(company, in: transaction)
            guard let card = try await RateCardStore.load(in: transaction)[account.plan] else { throw APIError.notFound("rate_card") }
            let cycle = BillingCycle.current(
                now: now, nextCycleAt: account.nextCycleAt, billingDay: account.billingDay, timeZone: account.timeZone)
            let rentalPaid = try await LedgerStore.has(source: Posting.rentalSource(number: body.number.e164, cycle: cycle), company: company, in: transaction)
            let lines = DIDPricing.purchase(
                setup: card.rate(.didSetup), monthlyRental: card.rate(.didRental), cycle: cycle, daysRemaining: cycle.daysRemaining(from: now),
                rentalPaid: rentalPaid)
            var payment = Self.purchase(company: company, purpose: .didPurchase, subject: body.number.e164, lines: lines, now: now)
            payment.rentalCycle = cycle.label
            guard payment.amount > .zero else {
                // A payment must be for something (the payments table's check); a rate card pricing numbers at ₹0 is
                // the operator's to fix.
                throw APIError.unprocessable(
                    "did.price_missing", "Numbers have no price on your plan's rate card (did.setup, did.rental); ask the operator to set one.",
                    field: "number")
            }
            // A purchase left unpaid for an hour no longer holds its number.
            try await DIDStore.expireAbandoned(number: body.number.e164, olderThanSeconds: Self.purchaseLifetime, in: transaction)
            guard try await DIDStore.reserve(number: body.number.e164, payment: payment.id, company: company, in: transaction) else {
                throw APIError.conflict("did.exists", "The number \(body.number) is already taken.", field: "number")
            }
            _ = try await PaymentStore.insert(payment, in: transaction)
            return payment
        }
        return EditedResponse(status: .created, response: PaymentView(payment, checkoutBase: checkoutBase))
    }

    @Sendable func numbers(_ request: Request, context: AppRequestContext) async throws -> Page<NumberView> {
        let company = try context.require("billing.read", roles: Self.walletRoles).companyID
        return Page(items: try await DIDStore.list(company: company, in: database).map(NumberView.init), next: nil)
    }

    /// Releasing a number stops its rental from the next cycle; the current cycle is not refunded.
    @Sendable func releaseNumber(_ request: Request, context: AppRequestContext) async throws -> NumberView {
        let company = try context.require("billing.manage", roles: Self.walletRoles).companyID
        guard let text = context.parameters.get("number"), let number = PhoneNumber(e164: text) else {
            throw APIError.badRequest("request.invalid_number", "The number in the path must be E.164, such as +918044556677.", field: "number")
        }
        let now = Date()
        let released = try await database.withTransaction { transaction in
            let released = try await DIDStore.release(number: number.e164, company: company, now: now, in: transaction)
            if released != nil {
                try await outbox.enqueue(
                    Envelope(companyID: company, occurredAt: now, data: NumberReleased(number: number, releasedAt: now)), in: transaction)
            }
            return released
        }
        guard let released else { throw APIError.notFound("did") }
        return NumberView(released)
    }

    /// BI-21: an upgrade is paid now, pro-rated for the paid days left; a downgrade waits for the end of the paid
    /// plan year (with plans billed annually, BI-20, that is the plan's billing cycle), and the renewal is priced on it.
    @Sendable func changePlan(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try context.require("billing.manage", roles: Self.walletRoles).companyID
        let body = try await request.decode(as: PlanRequest.self, context: context)
        let now = Date()
        return try await database.withTransaction { transaction -> Response in
            var account = try await AccountStore.lock(company, in: transaction)
            // A paid plan change whose time came counts before the renewal job gets to it.
            if account.applyPlanChange(due: now) { try await AccountStore.save(account, in: transaction) }
            let prices = try await RateCardStore.annualPrices(in: transaction)
            if let from = account.pendingPlanFrom {
                // BI-20: the next year is paid on the plan it was renewed into; changing it now would change a paid year.
                throw APIError.conflict(
                    "plan.change_locked",
                    "Your plan year from \(PlanRenewal.dayLabel(from, timeZone: account.timeZone)) is paid on the \(account.renewalPlan.rawValue) plan; change plans once it has started.",
                    field: "plan")
            }
            let daysLeft = PlanRenewal.daysLeft(until: account.planPaidUntil, now: now)
            let change = PlanChange.evaluate(from: account.plan, to: body.plan, annualPrice: { prices[$0] ?? .zero }, daysLeft: daysLeft)
            if case .upgrade = change, account.planLapsedAt != nil || now >= account.planPaidUntil {
                // BI-22: a lapsed plan has no paid days left to upgrade; the renewal (into the plan wanted) comes first.
                throw APIError.conflict(
                    "plan.expired", "Your \(account.plan.rawValue) plan expired; renew it before changing to another plan.", field: "plan")
            }
            switch change {
            case .unchanged:
                guard account.pendingPlan != nil else {
                    throw APIError.conflict("plan.unchanged", "Your account is already on the \(body.plan.rawValue) plan.", field: "plan")
                }
                // Asking for the current plan withdraws a queued downgrade.
                account.pendingPlan = nil
                try await AccountStore.save(account, in: transaction)
                let view = try await AccountView.current(account, in: transaction)
                return try view.response(from: request, context: context)
            case .downgrade:
                account.pendingPlan = body.plan
                try await AccountStore.save(account, in: transaction)
                let view = try await AccountView.current(account, in: transaction)
                return try view.response(from: request, context: context)
            case .upgrade(let charge) where charge <= .zero:
                // A higher plan that costs no more than this one: the rate card's prices are the operator's to fix
                // (a payment must be for something), as for a ₹0 number.
                throw APIError.unprocessable(
                    "plan.price_missing", "The \(body.plan.rawValue) plan has no higher price than yours on the rate card; ask the operator to set one.",
                    field: "plan")
            case .upgrade(let charge):
                // One upgrade at a time: a second paid upgrade would be charged without changing anything. An
                // upgrade left unpaid for an hour expires, so it neither blocks this one nor can be paid later.
                try await PaymentStore.expireAbandoned(
                    company: company, purpose: .planUpgrade, olderThanSeconds: Self.purchaseLifetime, in: transaction)
                guard try await PaymentStore.pendingCount(company: company, purpose: .planUpgrade, in: transaction) == 0 else {
                    throw APIError.conflict(
                        "plan.upgrade_pending", "An upgrade is already waiting for its payment; complete it, or ask again in an hour.", field: "plan")
                }
                var payment = Self.purchase(
                    company: company, purpose: .planUpgrade, subject: body.plan.rawValue,
                    lines: [.init(description: "Upgrade from \(account.plan.rawValue) to \(body.plan.rawValue), \(daysLeft) days left of the paid plan year", quantity: 1, amount: charge)],
                    now: now)
                payment.upgradeBasis = UpgradeBasis(
                    plan: account.plan, yearStart: PlanChange.yearStart(planStartedAt: account.planStartedAt, at: now), paidUntil: account.planPaidUntil)
                payment.pricedUntil = account.planPaidUntil
                _ = try await PaymentStore.insert(payment, in: transaction)
                return try EditedResponse(status: .created, response: PaymentView(payment, checkoutBase: checkoutBase)).response(
                    from: request, context: context)
            }
        }
    }

    /// BI-20, BI-22: "Renew Plan": another year of the plan, paid in one lump sum through the payment provider (GST on
    /// top). Open from 30 days before expiry, and after a lapse; the year is added when the provider captures it.
    @Sendable func renewPlan(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<PaymentView> {
        let company = try context.require("billing.manage", roles: Self.walletRoles).companyID
        let now = Date()
        let payment = try await database.withTransaction { transaction in
            var account = try await AccountStore.lock(company, in: transaction)
            if account.applyPlanChange(due: now) { try await AccountStore.save(account, in: transaction) }
            let opensAt = PlanRenewal.opensAt(paidUntil: account.planPaidUntil)
            guard now >= opensAt || account.planLapsedAt != nil else {
                throw APIError.conflict(
                    "plan.renewal_not_open",
                    "Your plan is paid until \(PlanRenewal.dayLabel(account.planPaidUntil, timeZone: account.timeZone)); renewal opens on \(PlanRenewal.dayLabel(opensAt, timeZone: account.timeZone)).")
            }
            let plan = account.renewalPlan
            let price = try await RateCardStore.annualPrices(in: transaction)[plan] ?? .zero
            guard price > .zero else {
                throw APIError.unprocessable(
                    "plan.price_missing", "The \(plan.rawValue) plan has no annual price on the rate card; ask the operator to set one.")
            }
            // One renewal at a time, as for upgrades: a second one would pay for a year the first already bought.
            try await PaymentStore.expireAbandoned(company: company, purpose: .planRenewal, olderThanSeconds: Self.purchaseLifetime, in: transaction)
            guard try await PaymentStore.pendingCount(company: company, purpose: .planRenewal, in: transaction) == 0 else {
                throw APIError.conflict(
                    "plan.renewal_pending", "A renewal is already waiting for its payment; complete it, or ask again in an hour.")
            }
            let year = PlanRenewal.renewed(paidUntil: account.planPaidUntil, lapsed: account.planLapsedAt != nil, now: now)
            let from = year.yearStartsAt ?? account.planPaidUntil
            var payment = Self.purchase(
                company: company, purpose: .planRenewal, subject: plan.rawValue,
                lines: [.init(
                    description: "Renewal of the \(plan.rawValue) plan, \(PlanRenewal.dayLabel(from, timeZone: account.timeZone)) to \(PlanRenewal.dayLabel(year.paidUntil, timeZone: account.timeZone))",
                    quantity: 1, amount: price)],
                now: now)
            payment.pricedUntil = account.planPaidUntil
            _ = try await PaymentStore.insert(payment, in: transaction)
            return payment
        }
        return EditedResponse(status: .created, response: PaymentView(payment, checkoutBase: checkoutBase))
    }

    /// How long a number or upgrade purchase waits for its payment.
    static let purchaseLifetime = 3_600

    static func purchase(company: CompanyID, purpose: PaymentPurpose, subject: String, lines: [InvoiceDocument.Line], now: Date) -> Payment {
        let document = InvoiceDocument(lines: lines)
        return Payment(
            id: PaymentID(), purpose: purpose, subject: subject, lines: lines, companyID: company, amount: document.taxable, gst: document.gst,
            method: .online, status: .pending, createdAt: now)
    }
}

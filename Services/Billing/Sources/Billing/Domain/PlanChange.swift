public import Contracts

/// BI-20, BI-21: plans are paid per year. An upgrade takes effect once the pro-rated difference for the rest of
/// the plan year is paid; a downgrade waits for the next billing cycle and costs nothing now.
public enum PlanChange: Sendable, Hashable {
    case unchanged
    case downgrade
    case upgrade(charge: Money)

    public static let daysInPlanYear = 365

    /// `daysUsed`: days since the plan year started (any number; years repeat).
    public static func evaluate(from current: Plan, to requested: Plan, annualPrice: (Plan) -> Money, daysUsed: Int) -> PlanChange {
        if requested == current { return .unchanged }
        if requested < current { return .downgrade }
        let daysLeft = daysInPlanYear - (max(daysUsed, 0) % daysInPlanYear)
        let difference = annualPrice(requested) - annualPrice(current)
        return .upgrade(charge: difference.multiplied(by: Int64(daysLeft), dividedBy: Int64(daysInPlanYear)))
    }

    /// BI-21: an upgrade payment captured late still buys the upgrade only if, from the plan the account is on now
    /// and its plan year, the upgrade cost exactly what was paid when it was asked for. A plan changed or a plan year
    /// restarted since (another upgrade paid, a downgrade applied) priced it from another plan: it is then credited to
    /// the wallet, never applied at a price that no longer holds.
    public static func stillBuys(
        _ requested: Plan, paid: Money, from current: Plan, annualPrice: (Plan) -> Money, daysUsedWhenAsked: Int
    ) -> Bool {
        guard case .upgrade(let charge) = evaluate(from: current, to: requested, annualPrice: annualPrice, daysUsed: daysUsedWhenAsked) else {
            return false
        }
        return charge == paid
    }
}

/// BI-19, D-22: what buying a number costs now: the setup fee and the rental for the days left in the cycle. A number
/// whose rental for this cycle the company already paid (bought, released and bought again) pays no rental twice.
public enum DIDPricing {
    public static func purchase(
        setup: Money, monthlyRental: Money, cycle: BillingCycle, daysRemaining: Int, rentalPaid: Bool = false
    ) -> [InvoiceDocument.Line] {
        [
            InvoiceDocument.Line(description: "Number setup fee", quantity: 1, amount: setup),
            rentalPaid
                ? InvoiceDocument.Line(description: "Number rental of the cycle from \(cycle.label), paid already", quantity: 1, amount: .zero)
                : InvoiceDocument.Line(
                    description: "Number rental, \(daysRemaining) of \(cycle.days) days of the cycle from \(cycle.label)", quantity: 1,
                    amount: Proration.amount(monthly: monthlyRental, daysCharged: daysRemaining, daysInCycle: cycle.days)),
        ]
    }
}

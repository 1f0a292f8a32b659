public import Contracts
public import Foundation

/// BI-20, BI-21: plans are paid per year. An upgrade takes effect once the pro-rated difference for the paid days left
/// is paid; a downgrade waits for the end of the paid plan year (the plan's billing cycle) and costs nothing now.
public enum PlanChange: Sendable, Hashable {
    case unchanged
    case downgrade
    case upgrade(charge: Money)

    public static let daysInPlanYear = 365

    /// `daysLeft`: days until the paid plan year ends (`PlanRenewal`), more than a year when renewed early: the
    /// upgrade pays the difference for every paid day still to come, or the renewal would have bought those days of
    /// the higher plan at the lower plan's price.
    public static func evaluate(from current: Plan, to requested: Plan, annualPrice: (Plan) -> Money, daysLeft: Int) -> PlanChange {
        if requested == current { return .unchanged }
        if requested < current { return .downgrade }
        let difference = annualPrice(requested) - annualPrice(current)
        return .upgrade(charge: difference.multiplied(by: Int64(max(daysLeft, 0)), dividedBy: Int64(daysInPlanYear)))
    }

    /// BI-20: the start of the plan year `date` falls in: plan years repeat every 365 days from the plan's start.
    public static func yearStart(planStartedAt: Date, at date: Date) -> Date {
        let days = max(Calendar.kolkata.dateComponents([.day], from: planStartedAt, to: date).day ?? 0, 0)
        return Calendar.kolkata.date(byAdding: .day, value: days / daysInPlanYear * daysInPlanYear, to: planStartedAt) ?? planStartedAt
    }

    /// BI-21: an upgrade payment captured late still buys the upgrade only while the account is on the plan and in the
    /// plan year it was priced from (a capture after the year's anniversary paid for days of a year that is over). A plan changed or a plan year restarted since (another upgrade paid, a downgrade
    /// applied) means it was priced from something else: it is then credited to the wallet, never applied at a price
    /// that no longer holds. The rate card's prices now do not matter: the customer paid what was asked.
    public static func stillBuys(_ requested: Plan, pricedFrom basis: UpgradeBasis, now current: UpgradeBasis) -> Bool {
        requested > current.plan && basis.matches(current)
    }
}

/// BI-21: what an upgrade was priced from.
public struct UpgradeBasis: Sendable, Hashable {
    public let plan: Plan
    /// The start of the plan year (`PlanChange.yearStart`).
    public let yearStart: Date
    /// The end of the paid plan year the upgrade was priced to (BI-20); nil for upgrades asked before renewals
    /// existed.
    public let paidUntil: Date?

    public init(plan: Plan, yearStart: Date, paidUntil: Date?) {
        self.plan = plan
        self.yearStart = yearStart
        self.paidUntil = paidUntil
    }

    /// The same plan, plan year and paid year (a renewal paid since would leave a year of the higher plan unpaid);
    /// dates compared to the millisecond, as stored and read back.
    public func matches(_ other: UpgradeBasis) -> Bool {
        guard plan == other.plan else { return false }
        // The paid year says it all where both know it; the plan year is what older upgrades were priced from.
        if let paidUntil, let current = other.paidUntil { return abs(paidUntil.timeIntervalSince(current)) < 0.001 }
        return abs(yearStart.timeIntervalSince(other.yearStart)) < 0.001
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

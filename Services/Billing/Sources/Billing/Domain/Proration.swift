public import Contracts

/// D-22, BI-19: a monthly charge that starts mid-cycle is charged for the days left in the cycle.
public enum Proration {
    /// `monthly × daysCharged ÷ daysInCycle`, rounded half up; `daysCharged` includes the day of purchase.
    public static func amount(monthly: Money, daysCharged: Int, daysInCycle: Int) -> Money {
        precondition(daysInCycle > 0, "a billing cycle has at least one day")
        let days = min(max(daysCharged, 0), daysInCycle)
        return monthly.multiplied(by: Int64(days), dividedBy: Int64(daysInCycle))
    }
}

public import Contracts

/// D-20, BI-10, BI-11: what a call costs.
public enum CallRating {
    /// Billable seconds (system pickup to call end, post-call wrap included) rounded up to whole pulses, at a
    /// per-minute rate. The price of the pulses is computed once and rounded half up to the paisa, so a 15-second
    /// pulse of a ₹1.01 rate does not lose a paisa per pulse.
    public static func charge(billableSeconds: Int, pulse: Pulse, ratePerMinute: Money) -> Money {
        guard billableSeconds > 0 else { return .zero }
        let pulses = (billableSeconds + pulse.rawValue - 1) / pulse.rawValue
        return ratePerMinute.multiplied(by: Int64(pulses * pulse.rawValue), dividedBy: 60)
    }
}

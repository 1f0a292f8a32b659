public import Contracts

/// D-15: capturing a campaign's hold charges its actual usage. The conversations already charged while the hold was
/// in force were drawn from it (`reservation_draws`); they are part of that usage and are not charged a second time.
public enum HoldCapture {
    public enum Violation: Error, Equatable, Sendable {
        /// Less than what was already charged against the hold: a capture cannot give money back.
        case belowDrawn(Money)
        /// More than the hold (or than the draws, where they went past it).
        case aboveHeld(Money)
    }

    /// What the wallet is charged when `usage` is captured from a hold of `held` of which `drawn` was charged.
    public static func charge(usage: Money, held: Money, drawn: Money) -> Result<Money, Violation> {
        let ceiling = max(held, drawn)
        if usage > ceiling { return .failure(.aboveHeld(ceiling)) }
        if usage < drawn { return .failure(.belowDrawn(drawn)) }
        return .success(usage - drawn)
    }

    /// D-15: a conversation rated after the capture was paid by it while the capture's charge beyond the draws lasts
    /// (`remaining`): that part is drawn from the captured hold, and only the rest is charged.
    public static func cover(_ amount: Money, remaining: Money) -> (covered: Money, due: Money) {
        let covered = min(amount, max(remaining, .zero))
        return (covered, amount - covered)
    }
}

public import Contracts

/// SLA-04, D-26, BI-36: a month below the uptime target refunds a share of that month's rental as a credit note.
public enum SLARefund {
    /// The share of `rental` to refund; a refund never exceeds the rental, and percentages outside 0–100 are
    /// clamped rather than trusted.
    public static func amount(rental: Money, percent: Int) -> Money {
        rental.multiplied(by: Int64(min(max(percent, 0), 100)), dividedBy: 100)
    }

    /// What one component's breach adds to the month's refunds. The month's refund follows its worst component: a
    /// second component below target tops the refund up to its own share, and the refunds of a month together never
    /// exceed the rental (SLA-04: 5–100 % of the rental).
    public static func topUp(rental: Money, percent: Int, alreadyRefunded: Money) -> Money {
        max(.zero, amount(rental: rental, percent: percent) - alreadyRefunded)
    }
}

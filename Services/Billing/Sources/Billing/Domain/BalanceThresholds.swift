public import Contracts

/// D-19, BI-01, BI-02, BI-04: the levels a wallet's balance is watched against.
public struct BalanceThresholds: Sendable, Hashable {
    /// Below this the customer gets low-balance alerts (BI-04). Editable.
    public var lowBalance: Money
    /// Crossing below this sends the final warning. Editable (BI-02).
    public var minimumBalance: Money
    /// The largest negative balance allowed; below `-creditLimit` the account is suspended. Not editable (BI-02).
    public let creditLimit: Money

    public init(lowBalance: Money = .rupees(500), minimumBalance: Money = .rupees(-10), creditLimit: Money = .rupees(100)) {
        self.lowBalance = lowBalance
        self.minimumBalance = minimumBalance
        self.creditLimit = creditLimit
    }

    /// What a wallet must keep for WhatsApp sends and reservations (BI-07, D-15).
    public static let whatsappMinimum = Money.rupees(1)

    /// D-19: the thresholds a balance change crosses downwards. Each fires once per crossing, not once per charge:
    /// a charge that keeps the balance below a threshold crosses nothing.
    public func crossings(from old: Money, to new: Money) -> [BalanceCrossing] {
        var crossed: [BalanceCrossing] = []
        if old >= lowBalance && new < lowBalance { crossed.append(.low) }
        if old >= minimumBalance && new < minimumBalance { crossed.append(.minimum) }
        if old >= -creditLimit && new < -creditLimit { crossed.append(.suspended) }
        return crossed
    }

    /// D-19: auto-recharge tops up "when below the alert threshold". A charge starts one on any downward crossing,
    /// so a recharge the gateway refused at the alert gets another try at the minimum balance and at suspension.
    public static func startsAutoRecharge(_ crossings: [BalanceCrossing]) -> Bool { !crossings.isEmpty }

    /// D-19: switching auto-recharge on, or raising the alert, while the balance is already below it starts one
    /// at once; waiting for the next crossing would let the wallet run dry first.
    public func startsAutoRecharge(balance: Money, autoRecharge: Bool) -> Bool { autoRecharge && balance < lowBalance }

    /// D-19, BI-03: a suspended account resumes on refresh only once the balance is back at the minimum balance.
    public func allowsResume(balance: Money) -> Bool { balance >= minimumBalance }

    /// D-15, BI-07: a reservation (or a WhatsApp send) must leave at least ₹1 once everything reserved is counted.
    public static func canReserve(_ amount: Money, balance: Money, reserved: Money) -> Bool {
        amount > .zero && balance - reserved - amount >= whatsappMinimum
    }
}

/// A threshold the balance fell below; each publishes one event (`billing.balance.low`,
/// `billing.balance.minimum`, `billing.account.suspended`).
public enum BalanceCrossing: String, Sendable, Hashable {
    case low, minimum, suspended
}

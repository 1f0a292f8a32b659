public import Contracts

/// BI-02, BI-04, BI-31, D-19: the wallet settings a customer may edit. The credit limit is not among them.
public struct BillingSettings: Sendable, Hashable {
    public var lowBalance: Money
    public var minimumBalance: Money
    public var minimumTopUp: Money
    public var autoRecharge: Bool

    public init(lowBalance: Money, minimumBalance: Money, minimumTopUp: Money, autoRecharge: Bool) {
        self.lowBalance = lowBalance
        self.minimumBalance = minimumBalance
        self.minimumTopUp = minimumTopUp
        self.autoRecharge = autoRecharge
    }

    public struct Violation: Error, Equatable, Sendable {
        public let code: String
        public let field: String
        public let message: String
    }

    /// The whole set must hang together: the minimum balance lies between the credit limit and the low-balance
    /// alert, the alert is not negative, and the top-up is at least ₹1 and at most the largest recharge.
    public func violations(creditLimit: Money) -> [Violation] {
        var found: [Violation] = []
        if lowBalance < .zero {
            found.append(.init(code: "billing.low_balance.negative", field: "low_balance", message: "The low-balance alert cannot be negative."))
        }
        if minimumBalance < -creditLimit {
            found.append(.init(
                code: "billing.minimum_balance.below_credit_limit", field: "minimum_balance",
                message: "The minimum balance cannot be below the credit limit of -\(creditLimit)."))
        }
        if minimumBalance > lowBalance {
            found.append(.init(
                code: "billing.minimum_balance.above_low_balance", field: "minimum_balance",
                message: "The minimum balance cannot be above the low-balance alert."))
        }
        if minimumTopUp < .rupees(1) || minimumTopUp > PaymentRules.maximum {
            found.append(.init(
                code: "billing.minimum_topup.out_of_range", field: "minimum_topup",
                message: "The minimum top-up must be between ₹1 and \(PaymentRules.maximum)."))
        }
        return found
    }
}

public import Contracts

/// BI-33, BI-37: how a customer pays. Online goes through the payment provider; the others are bank transfers
/// applied with the bank's reference code.
public enum PaymentMethod: String, Sendable, Codable, CaseIterable {
    case online, neft, rtgs, imps, cheque

    public var isOffline: Bool { self != .online }
}

public enum PaymentStatus: String, Sendable, Codable {
    case pending, succeeded, failed
    /// The provider captured an amount other than the payable: nothing was delivered or credited, and the payment waits
    /// for an operator to reconcile it with the provider (`CaptureDecision.hold`).
    case review
}

/// BI-19, BI-20, BI-21: what a payment buys.
public enum PaymentPurpose: String, Sendable, Codable {
    case recharge
    case didPurchase = "did_purchase"
    case planUpgrade = "plan_upgrade"
    /// BI-20, BI-22: another year of the plan.
    case planRenewal = "plan_renewal"
}

/// The checks a recharge request must pass before a payment row exists.
public enum PaymentRules {
    public enum Violation: Error, Equatable, Sendable {
        case belowMinimumTopUp(Money)
        case tooLarge(Money)
        case offlineCodeMissing
        case offlineCodeInvalid
        case offlineCodeNotExpected
    }

    /// The largest single recharge accepted: ₹10,00,000 (bigger sums go through the account manager).
    public static let maximum = Money.rupees(1_000_000)

    /// What a provider could have captured for one payment: more than nothing, and far below the amounts whose GST no
    /// Int64 holds (₹1,000 crore is some 8,500 times `maximum` with GST). A callback stating more is still recorded
    /// (held for review: refusing it would make the provider retry, then switch the webhook off), but its amount is
    /// never credited.
    public static let creditableCapture = Money(paise: 1)...Money(paise: 1_000_000_000_000)

    /// D-19, BI-01, BI-31: a recharge is at least the account's minimum top-up. Offline payments (BI-33) carry the
    /// bank's reference (UTR or cheque number): 6 to 30 letters and digits; online ones do not.
    public static func validate(amount: Money, method: PaymentMethod, offlineCode: String?, minimumTopUp: Money) -> Violation? {
        if amount < minimumTopUp { return .belowMinimumTopUp(minimumTopUp) }
        if amount > maximum { return .tooLarge(maximum) }
        switch (method.isOffline, offlineCode) {
        case (true, nil): return .offlineCodeMissing
        case (true, let code?):
            let valid = (6...30).contains(code.count) && code.unicodeScalars.allSatisfy { $0.isASCII && $0.properties.isAlphabetic || ("0"..."9").contains($0) }
            return valid ? nil : .offlineCodeInvalid
        case (false, nil): return nil
        case (false, _?): return .offlineCodeNotExpected
        }
    }

    /// BI-19, D-22: the customer pays the recharge plus GST; the wallet is credited with the recharge.
    public static func payable(amount: Money) -> (gst: Money, total: Money) {
        let gst = Tax.gst(on: amount)
        return (gst, amount + gst)
    }
}

/// What the provider's "captured" notice does to a payment, by the payment's status. BI-32: online and UPI money
/// can reach us up to a day late, after the payment was declined, expired unpaid (a purchase holds its number for an
/// hour) or given up (an auto-recharge whose last ask timed out although the gateway charged, D-19). The customer's
/// money is never dropped: a late capture is settled like a timely one.
public enum CaptureDecision: Equatable, Sendable {
    /// Deliver what the payment bought, or credit the wallet where that is no longer possible (`PaymentDelivery`).
    case settle
    /// Already settled: a replayed notice changes nothing.
    case replay
    /// The provider captured another amount than the payable (or did not say how much): delivering at the payable
    /// would credit money nobody paid, or keep money for nothing; dropping the notice would lose the record of money
    /// the customer did pay. The payment is held for review with the captured amount. A later capture of the right
    /// amount settles it.
    case hold

    public init(status: PaymentStatus, captured: Money?, payable: Money) {
        if status == .succeeded {
            self = .replay
        } else {
            self = captured == payable ? .settle : .hold
        }
    }
}

/// BI-32, BI-19, BI-21: where the money of a captured payment goes. A recharge always credits the wallet. A number
/// or plan upgrade is delivered when it still can be; otherwise (the lapsed number went to another company, the plan
/// is already as high) the money is credited to the wallet, invoiced as a recharge, instead of being kept as revenue
/// for nothing.
public enum PaymentDelivery: Equatable, Sendable {
    case purchase
    case walletCredit

    public init(purpose: PaymentPurpose, deliverable: Bool) {
        self = purpose != .recharge && deliverable ? .purchase : .walletCredit
    }
}

public import Contracts

/// BI-33, BI-37: how a customer pays. Online goes through the payment provider; the others are bank transfers
/// applied with the bank's reference code.
public enum PaymentMethod: String, Sendable, Codable, CaseIterable {
    case online, neft, rtgs, imps, cheque

    public var isOffline: Bool { self != .online }
}

public enum PaymentStatus: String, Sendable, Codable {
    case pending, succeeded, failed
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

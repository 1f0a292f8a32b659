/// An amount in Indian paise (₹1 = 100). Integer arithmetic only: no floating point ever touches money.
/// Encodes as the bare integer number of paise.
public struct Money: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, AdditiveArithmetic {
    public let paise: Int64

    public init(paise: Int64) { self.paise = paise }

    public static func rupees(_ rupees: Int64) -> Money { Money(paise: rupees * 100) }

    public static let zero = Money(paise: 0)

    /// Parses a decimal rupee amount such as `"1500"`, `"-10.5"` or `"0.05"`: at most two decimals, no exponent.
    public init?(rupeeString text: String) {
        var digits = Substring(text.trimmingSpaces())
        var negative = false
        if digits.first == "-" {
            negative = true
            digits = digits.dropFirst()
        } else if digits.first == "+" {
            digits = digits.dropFirst()
        }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit), whole.count <= 15 else { return nil }
        var fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= 2, fraction.allSatisfy(\.isASCIIDigit), parts.count == 1 || !fraction.isEmpty else { return nil }
        while fraction.count < 2 { fraction += "0" }
        guard let rupees = Int64(whole), let cents = Int64(fraction) else { return nil }
        let value = rupees * 100 + cents
        self.paise = negative ? -value : value
    }

    public var isNegative: Bool { paise < 0 }

    /// `₹1,234.50` style with Indian digit grouping is a presentation concern; this is the plain `1234.50`.
    public var rupeeString: String {
        let magnitude = paise.magnitude
        let fraction = magnitude % 100
        return "\(paise < 0 ? "-" : "")\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    public var description: String { "₹\(rupeeString)" }

    public static func + (lhs: Money, rhs: Money) -> Money { Money(paise: lhs.paise + rhs.paise) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(paise: lhs.paise - rhs.paise) }
    public static func * (lhs: Money, rhs: Int64) -> Money { Money(paise: lhs.paise * rhs) }
    public static func * (lhs: Int64, rhs: Money) -> Money { Money(paise: lhs * rhs.paise) }
    public static prefix func - (value: Money) -> Money { Money(paise: -value.paise) }
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.paise < rhs.paise }

    /// Splits `self` by a rational fraction, rounding half away from zero (e.g. proration by days).
    public func multiplied(by numerator: Int64, dividedBy denominator: Int64) -> Money {
        precondition(denominator > 0, "denominator must be positive")
        let product = paise * numerator
        let quotient = product / denominator
        let remainder = product % denominator
        if remainder.magnitude * 2 >= denominator.magnitude {
            return Money(paise: quotient + (product < 0 ? -1 : 1))
        }
        return Money(paise: quotient)
    }

    public init(from decoder: any Decoder) throws {
        paise = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(paise)
    }
}

extension Character {
    /// 0–9 only (not other scripts' digits), for ids, amounts and phone numbers.
    public var isASCIIDigit: Bool { isASCII && isNumber }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

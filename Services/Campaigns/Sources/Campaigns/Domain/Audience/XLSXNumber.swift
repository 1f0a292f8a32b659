import Contracts

/// How a numeric cell's stored text becomes the text a user typed. Excel stores `919876543210` as a double and
/// often writes it as `9.19876543210E11`; a phone number must come back as its digits. Done on the decimal text,
/// never through `Double`, so no digit is rounded away.
enum XLSXNumber {
    /// Exponents beyond this cannot be an identifier or an amount, and would build absurdly long strings.
    private static let maxExponent = 30

    /// The integer's digits when the number is whole; otherwise the stored text unchanged.
    static func text(_ stored: String) -> String {
        guard let parts = Parts(stored) else { return stored }
        let digits = parts.integer + parts.fraction
        let point = parts.integer.count + parts.exponent
        let whole: String
        if point >= digits.count {
            whole = digits + String(repeating: "0", count: point - digits.count)
        } else {
            guard point >= 0, digits.dropFirst(point).allSatisfy({ $0 == "0" }) else { return stored }
            whole = String(digits.prefix(point))
        }
        let trimmed = String(whole.drop { $0 == "0" })
        if trimmed.isEmpty { return "0" }
        return parts.negative ? "-" + trimmed : trimmed
    }

    /// `[-+]digits[.digits][(e|E)[-+]digits]`
    private struct Parts {
        var negative = false
        var integer = ""
        var fraction = ""
        var exponent = 0

        init?(_ text: String) {
            var rest = Substring(text)
            if let sign = rest.first, sign == "-" || sign == "+" {
                negative = sign == "-"
                rest = rest.dropFirst()
            }
            integer = String(rest.prefix(while: \.isASCIIDigit))
            rest = rest.dropFirst(integer.count)
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = String(rest.prefix(while: \.isASCIIDigit))
                rest = rest.dropFirst(fraction.count)
            }
            guard !(integer.isEmpty && fraction.isEmpty) else { return nil }
            if let marker = rest.first, marker == "e" || marker == "E" {
                rest = rest.dropFirst()
                let exponentText = rest
                // A range, not `abs`: the absolute value of Int.min traps.
                guard let value = Int(exponentText), (-XLSXNumber.maxExponent...XLSXNumber.maxExponent).contains(value) else { return nil }
                exponent = value
                rest = ""
            }
            guard rest.isEmpty else { return nil }
        }
    }
}

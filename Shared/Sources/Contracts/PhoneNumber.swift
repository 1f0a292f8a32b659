/// A phone number in E.164 form (`+` then 8 to 15 digits, no leading zero after the `+`).
/// Encodes as the E.164 string.
public struct PhoneNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    public let e164: String

    /// Accepts only a number already in E.164 form.
    public init?(e164 text: String) {
        guard text.first == "+" else { return nil }
        let digits = text.dropFirst()
        guard (8...15).contains(digits.count), digits.allSatisfy(\.isASCIIDigit), digits.first != "0" else { return nil }
        self.e164 = text
    }

    public var description: String { e164 }

    /// The country calling code is `91`.
    public var isIndian: Bool { e164.hasPrefix("+91") }

    /// D-13, CA-33: `+91` and a ten-digit subscriber number starting with 6–9, the only numbers WhatsApp messages go
    /// to. A landline (`+918044556677`) or a `+91` number of the wrong length is Indian but not a mobile.
    public var isIndianMobile: Bool {
        guard isIndian else { return false }
        let subscriber = e164.dropFirst(3)
        return subscriber.count == 10 && "6789".contains(subscriber.first ?? "0")
    }

    /// An Indian number (`+91`) has ten national digits, the first not 0, or eleven for toll-free and shared-cost
    /// numbers (`1800…`, `1860…`); other countries' numbers are only checked for the E.164 form.
    public var hasValidIndianLength: Bool {
        guard isIndian else { return true }
        let national = e164.dropFirst(3)
        if national.count == 11 { return national.hasPrefix("1800") || national.hasPrefix("1860") }
        return national.count == 10 && national.first != "0"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let number = PhoneNumber(e164: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an E.164 number such as +919876543210")
        }
        self = number
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(e164)
    }
}

extension PhoneNumber {
    /// Why a number could not be read as an Indian mobile number; the raw values are D-13's skip reason codes.
    public enum IndianNumberError: String, Error, Sendable, CaseIterable {
        case blank
        case invalidFormat = "invalid_format"
        case nonIndian = "non_indian"
    }

    /// D-13: normalises what people type for an Indian mobile number to `+91XXXXXXXXXX`.
    /// Accepted: `91XXXXXXXXXX`, `+91XXXXXXXXXX`, `0XXXXXXXXXX` and `XXXXXXXXXX`, where the ten-digit subscriber
    /// number starts with 6–9. Spaces, dashes, dots and parentheses are ignored. A valid number of another
    /// country (`+1 415 555 0100`) is `nonIndian`, anything else `invalidFormat`.
    public static func indian(_ raw: String) -> Result<PhoneNumber, IndianNumberError> {
        let trimmed = raw.trimmingSpaces()
        if trimmed.isEmpty { return .failure(.blank) }
        var hasPlus = false
        var digits = ""
        for character in trimmed {
            switch character {
            case "+" where !hasPlus && digits.isEmpty: hasPlus = true
            case " ", "-", ".", "(", ")", "\u{00A0}": continue
            case _ where character.isASCIIDigit: digits.append(character)
            default: return .failure(.invalidFormat)
            }
        }
        let subscriber: Substring
        if hasPlus {
            guard digits.hasPrefix("91") else {
                return PhoneNumber(e164: "+" + digits) == nil ? .failure(.invalidFormat) : .failure(.nonIndian)
            }
            subscriber = digits.dropFirst(2)
        } else if digits.count == 12, digits.hasPrefix("91") {
            subscriber = digits.dropFirst(2)
        } else if digits.count == 11, digits.hasPrefix("0") {
            subscriber = digits.dropFirst()
        } else {
            subscriber = Substring(digits)
        }
        guard subscriber.count == 10, let first = subscriber.first, "6789".contains(first) else {
            return .failure(.invalidFormat)
        }
        return .success(PhoneNumber(verifiedE164: "+91" + subscriber))
    }

    private init(verifiedE164: String) { self.e164 = verifiedE164 }
}

/// CR-26: an extension is exactly two digits, 10–99; single digits and three or more are refused.
struct Extension: Hashable, Sendable, Codable, CustomStringConvertible {
    static let range = 10...99

    let value: Int

    init?(_ value: Int) {
        guard Self.range.contains(value) else { return nil }
        self.value = value
    }

    /// CR-27: the digits a caller keyed ("22"); anything but two digits is not an extension.
    init?(digits: String) {
        guard digits.count == 2, digits.allSatisfy(\.isASCII), let value = Int(digits) else { return nil }
        self.init(value)
    }

    var description: String { String(value) }

    init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(Int.self)
        guard let valid = Extension(value) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "extension must be 10–99"))
        }
        self = valid
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

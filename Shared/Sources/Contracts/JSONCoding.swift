public import Foundation

/// The one JSON dialect of the platform: snake_case keys (spelled out in each type's `CodingKeys`, because
/// Foundation's automatic conversion turns `company_id` back into `companyId`, not `companyID`), and
/// timestamps as ISO-8601 in UTC with milliseconds.
public enum JSONCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "expected an ISO-8601 timestamp such as 2026-11-28T10:00:00.123Z")
            }
            return date
        }
        return decoder
    }
}

/// ISO-8601 timestamps with milliseconds, always in UTC on output; input may omit the fraction or carry an offset.
public enum Timestamp {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)

    public static func format(_ date: Date) -> String { withFraction.format(date) }

    public static func parse(_ text: String) -> Date? {
        if let date = try? withFraction.parse(text) { return date }
        return try? withoutFraction.parse(text)
    }
}

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
///
/// Every envelope carries several timestamps and Foundation's ISO-8601 style is slow on Linux, so the one shape
/// this platform writes (`2026-11-28T10:00:00.123Z`) is read and written by hand; anything else goes through
/// Foundation.
public enum Timestamp {
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
    private static let withoutFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)

    public static func format(_ date: Date) -> String {
        // Nearest millisecond, so a timestamp read from text is written back with the same digits.
        let totalMilliseconds = (date.timeIntervalSince1970 * 1_000).rounded()
        guard totalMilliseconds.magnitude < 253_402_300_800_000, totalMilliseconds >= 0 else { return withFraction.format(date) }
        let milliseconds = Int64(totalMilliseconds)
        let seconds = milliseconds / 1_000
        let (year, month, day) = civil(fromDays: seconds / 86_400)
        let secondOfDay = seconds % 86_400
        var bytes = [UInt8]()
        bytes.reserveCapacity(24)
        func append(_ value: Int64, digits: Int) {
            var divisor: Int64 = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        append(year, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        append(month, digits: 2)
        bytes.append(UInt8(ascii: "-"))
        append(day, digits: 2)
        bytes.append(UInt8(ascii: "T"))
        append(secondOfDay / 3_600, digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(secondOfDay % 3_600 / 60, digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(secondOfDay % 60, digits: 2)
        bytes.append(UInt8(ascii: "."))
        append(milliseconds % 1_000, digits: 3)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The instants this platform reads: the years 1 to 9999, the four-digit years it writes. Foundation's parser takes
    /// `300000-01-01T00:00:00Z`; PostgreSQL keeps nothing after 294276 AD, and postgres-nio traps (the process dies with
    /// every request in flight) encoding a date more than ~292,000 years from 2000, so such an input must stop here.
    public static let readable = Date(timeIntervalSince1970: -62_135_596_800)...Date(timeIntervalSince1970: 253_402_300_799.999)

    public static func parse(_ text: String) -> Date? {
        let parsed: Date?
        switch parseCanonical(text) {
        case .date(let date): parsed = date
        // Foundation's parser would roll an impossible date over (30 February → 2 March) instead of refusing it.
        case .impossible: return nil
        case .otherForm: parsed = (try? withFraction.parse(text)) ?? (try? withoutFraction.parse(text))
        }
        guard let parsed, readable.contains(parsed) else { return nil }
        return parsed
    }

    private enum Canonical {
        case date(Date)
        /// The canonical form with a month, day or time that does not exist.
        case impossible
        case otherForm
    }

    /// `yyyy-MM-ddTHH:mm:ss[.SSS]Z` only.
    private static func parseCanonical(_ text: String) -> Canonical {
        var text = text
        return text.withUTF8 { bytes -> Canonical in
            guard bytes.count == 20 || bytes.count == 24, bytes[bytes.count - 1] == UInt8(ascii: "Z"), bytes[4] == UInt8(ascii: "-"),
                bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
            else { return .otherForm }
            func number(_ start: Int, _ count: Int) -> Int64? {
                var value: Int64 = 0
                for index in start..<(start + count) {
                    let digit = bytes[index] &- UInt8(ascii: "0")
                    guard digit < 10 else { return nil }
                    value = value * 10 + Int64(digit)
                }
                return value
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
                let minute = number(14, 2), let second = number(17, 2)
            else { return .otherForm }
            var milliseconds: Int64 = 0
            if bytes.count == 24 {
                guard bytes[19] == UInt8(ascii: "."), let fraction = number(20, 3) else { return .otherForm }
                milliseconds = fraction
            }
            guard (1...12).contains(month), (1...daysIn(month, year)).contains(day), hour < 24, minute < 60, second < 60 else {
                return .impossible
            }
            let seconds = days(fromCivil: year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second
            return .date(Date(timeIntervalSince1970: Double(seconds) + Double(milliseconds) / 1_000))
        }
    }

    private static func daysIn(_ month: Int64, _ year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

import Foundation

/// Reads an envelope's header straight from its JSON bytes, stepping over `data` without building it.
///
/// Every consumer needs the header (the event id for the inbox) before its handler decodes the payload, and
/// `JSONDecoder` parses the whole document, payload included, even to read six fields: that first decode was
/// ~8 % of the machine's CPU while the inbox drained a queue (`perf`, `loadgen bus`). This reads the one shape
/// our encoder writes. Anything it is not sure about (an escape or a non-ASCII byte in a header string, a
/// repeated or unknown key, a number that is not a plain integer, a missing field, mismatched brackets) gives nil,
/// and the caller falls back to `JSONDecoder`, which then decides. The payload is only stepped over and its place
/// noted, so the handler's decoder reads the payload alone (not the header a second time), and a body whose header
/// is sound but whose payload is not gets past here and fails when its handler decodes it.
public enum EnvelopeHeaderScanner {
    /// A header read from the bytes, and where the payload (`data`'s value) lies in them.
    public struct Scanned: Sendable, Hashable {
        public var header: EnvelopeHeader
        /// nil when the body has no `data`; the payload decoder then gets the whole body and reports it.
        public var payload: Range<Int>?
    }

    public static func header(in body: [UInt8]) -> EnvelopeHeader? { scan(body)?.header }

    public static func scan(_ body: [UInt8]) -> Scanned? {
        body.withUnsafeBufferPointer { bytes in
            var reader = Reader(bytes: bytes)
            return reader.header()
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func header() -> Scanned? {
            var id: EventID?, type: EventType?, version: Int?, company: CompanyID?, occurredAt: Date?
            var correlationID: String??, traceparent: String??, payload: Range<Int>?
            guard take(UInt8(ascii: "{")) else { return nil }
            if !take(UInt8(ascii: "}")) {
                repeat {
                    guard let key = plainString(), take(UInt8(ascii: ":")) else { return nil }
                    switch key {
                    case "id":
                        guard id == nil, let text = plainString(), let value = EventID(text) else { return nil }
                        id = value
                    case "type":
                        guard type == nil, let text = plainString() else { return nil }
                        type = EventType(rawValue: text)
                    case "version":
                        guard version == nil, let value = integer() else { return nil }
                        version = value
                    case "company_id":
                        guard company == nil, let text = plainString(), let value = CompanyID(text) else { return nil }
                        company = value
                    case "occurred_at":
                        guard occurredAt == nil, let text = plainString(), let value = Timestamp.parse(text) else { return nil }
                        occurredAt = value
                    case "correlation_id":
                        guard correlationID == nil, let value = optionalPlainString() else { return nil }
                        correlationID = value
                    case "traceparent":
                        guard traceparent == nil, let value = optionalPlainString() else { return nil }
                        traceparent = value
                    case "data":
                        skipWhitespace()
                        let start = position
                        guard payload == nil, skipValue() else { return nil }
                        payload = start..<position
                    default:
                        // Our encoder writes no other key. An unknown one goes to the decoder, which checks the
                        // whole document: only `data` is left for the payload's decoder to check.
                        return nil
                    }
                } while take(UInt8(ascii: ","))
                guard take(UInt8(ascii: "}")) else { return nil }
            }
            skipWhitespace()
            guard position == bytes.count, let id, let type, let version, let company, let occurredAt else { return nil }
            let header = EnvelopeHeader(
                id: id, type: type, version: version, companyID: company, occurredAt: occurredAt, correlationID: correlationID ?? nil,
                traceparent: traceparent ?? nil)
            return Scanned(header: header, payload: payload)
        }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): position += 1
                default: return
                }
            }
        }

        /// Steps over `byte` (after any whitespace) if it is next.
        mutating func take(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        /// A string of printable ASCII without escapes; nil for anything else.
        mutating func plainString() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    position += 1
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(position - 1)]), as: UTF8.self)
                }
                guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { return nil }
                position += 1
            }
            return nil
        }

        /// `null` as `.some(nil)`; a plain string as `.some(text)`; nil when it is neither.
        mutating func optionalPlainString() -> String?? {
            skipWhitespace()
            if literal("null") { return .some(nil) }
            return plainString().map { .some($0) }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard position + count <= bytes.count else { return false }
            for index in 0..<count where bytes[position + index] != word.utf8Start[index] { return false }
            position += count
            return true
        }

        /// An optional minus and up to 18 digits.
        mutating func integer() -> Int? {
            skipWhitespace()
            let negative = position < bytes.count && bytes[position] == UInt8(ascii: "-")
            if negative { position += 1 }
            var value = 0
            var digits = 0
            while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10, digits < 18 {
                value = value * 10 + Int(bytes[position] &- UInt8(ascii: "0"))
                digits += 1
                position += 1
            }
            guard digits > 0, position < bytes.count, !Self.continuesNumber(bytes[position]) else { return nil }
            return negative ? -value : value
        }

        private static func continuesNumber(_ byte: UInt8) -> Bool {
            byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
        }

        /// Any JSON value: strings and matched brackets are followed exactly, scalars are taken up to the next
        /// delimiter. The payload's content is checked by the decoder that reads it (a payload it cannot read is
        /// dead-lettered by the inbox consumer, as an unreadable envelope is).
        mutating func skipValue() -> Bool {
            skipWhitespace()
            guard position < bytes.count else { return false }
            switch bytes[position] {
            case UInt8(ascii: "\""):
                return skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                return skipContainer()
            default:
                let start = position
                while position < bytes.count, !Self.endsScalar(bytes[position]) { position += 1 }
                return position > start
            }
        }

        private static func endsScalar(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ":"), UInt8(ascii: "\""), UInt8(ascii: "{"),
                UInt8(ascii: "["), UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                true
            default: false
            }
        }

        /// From an opening quote to just past its closing one.
        private mutating func skipString() -> Bool {
            position += 1
            while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
                position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard position < bytes.count else { return false }
            position += 1
            return true
        }

        /// From an opening bracket to just past the one that closes it; a bracket closed by the other kind is refused.
        private mutating func skipContainer() -> Bool {
            var closers: [UInt8] = []
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    guard skipString() else { return false }
                    continue
                case UInt8(ascii: "{"): closers.append(UInt8(ascii: "}"))
                case UInt8(ascii: "["): closers.append(UInt8(ascii: "]"))
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    guard closers.popLast() == byte else { return false }
                    if closers.isEmpty {
                        position += 1
                        return true
                    }
                default: break
                }
                position += 1
            }
            return false
        }
    }
}

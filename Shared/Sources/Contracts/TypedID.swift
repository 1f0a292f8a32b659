public import Foundation

/// A UUID that knows what it identifies, so a `CallID` can never be passed where a `CompanyID` is expected.
/// Encodes as the bare lowercase UUID string.
public struct TypedID<Kind: IDKind>: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    public let uuid: UUID

    public init(_ uuid: UUID) { self.uuid = uuid }

    /// A new random id.
    public init() { self.uuid = UUID.random() }

    public init?(_ description: String) {
        guard let uuid = UUIDText.parse(description) else { return nil }
        self.uuid = uuid
    }

    public var description: String { UUIDText.lowercase(uuid) }

    /// Byte order, which is PostgreSQL's order of `uuid` values (so sorted ids lock rows in the database's order).
    public static func < (lhs: Self, rhs: Self) -> Bool {
        withUnsafeBytes(of: lhs.uuid.uuid) { left in
            withUnsafeBytes(of: rhs.uuid.uuid) { right in left.lexicographicallyPrecedes(right) }
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let uuid = UUIDText.parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(Kind.name) must be a UUID")
        }
        self.uuid = uuid
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension TypedID where Kind == EventKind {
    /// A new event id, time-ordered (`UUID.timeOrdered`): events are inserted into outboxes and inboxes in roughly
    /// the order they happen, and their indexes stay append-mostly.
    public static func timeOrdered(at date: Date = Date()) -> EventID { EventID(UUID.timeOrdered(at: date)) }
}

/// Names the thing a `TypedID` identifies; used in error messages.
public protocol IDKind: Sendable {
    static var name: String { get }
}

public enum CompanyKind: IDKind { public static let name = "company_id" }
public enum UserKind: IDKind { public static let name = "user_id" }
public enum EventKind: IDKind { public static let name = "event_id" }
public enum CallKind: IDKind { public static let name = "call_uid" }
public enum CampaignKind: IDKind { public static let name = "campaign_id" }
public enum InvoiceKind: IDKind { public static let name = "invoice_id" }
public enum DepartmentKind: IDKind { public static let name = "department_id" }
public enum ReservationKind: IDKind { public static let name = "reservation_id" }
public enum PaymentKind: IDKind { public static let name = "payment_id" }

public typealias CompanyID = TypedID<CompanyKind>
public typealias UserID = TypedID<UserKind>
public typealias EventID = TypedID<EventKind>
public typealias CallID = TypedID<CallKind>
public typealias CampaignID = TypedID<CampaignKind>
public typealias InvoiceID = TypedID<InvoiceKind>
public typealias DepartmentID = TypedID<DepartmentKind>
public typealias ReservationID = TypedID<ReservationKind>
public typealias PaymentID = TypedID<PaymentKind>

/// UUID text in both directions without Foundation's `sprintf`/`sscanf` round trips, which showed up at the top
/// of the consumers' profiles: every envelope carries several ids.
public enum UUIDText {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The canonical lowercase form, `8-4-4-4-12` hex digits.
    public static func lowercase(_ uuid: UUID) -> String {
        withUnsafeBytes(of: uuid.uuid) { raw in
            String(unsafeUninitializedCapacity: 36) { buffer in
                var position = 0
                for (index, byte) in raw.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        buffer[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    buffer[position] = hexDigits[Int(byte >> 4)]
                    buffer[position + 1] = hexDigits[Int(byte & 0x0f)]
                    position += 2
                }
                return position
            }
        }
    }

    /// Accepts the `8-4-4-4-12` form in either case; nil for anything else.
    public static func parse(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { bytes -> UUID? in
            guard bytes.count == 36 else { return nil }
            var value: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let parsed = withUnsafeMutableBytes(of: &value) { output -> Bool in
                var position = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        guard bytes[position] == UInt8(ascii: "-") else { return false }
                        position += 1
                    }
                    guard let high = nibble(bytes[position]), let low = nibble(bytes[position + 1]) else { return false }
                    output[index] = high << 4 | low
                    position += 2
                }
                return true
            }
            return parsed ? UUID(uuid: value) : nil
        }
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

public import Foundation

/// A UUID that knows what it identifies, so a `CallID` can never be passed where a `CompanyID` is expected.
/// Encodes as the bare lowercase UUID string.
public struct TypedID<Kind: IDKind>: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    public let uuid: UUID

    public init(_ uuid: UUID) { self.uuid = uuid }

    public init() { self.uuid = UUID() }

    public init?(_ description: String) {
        guard let uuid = UUID(uuidString: description) else { return nil }
        self.uuid = uuid
    }

    public var description: String { uuid.uuidString.lowercased() }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.uuid.uuidString < rhs.uuid.uuidString }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let uuid = UUID(uuidString: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(Kind.name) must be a UUID")
        }
        self.uuid = uuid
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
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

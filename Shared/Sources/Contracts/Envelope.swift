public import Foundation

/// The envelope every event travels in (ARCHITECTURE.md, Events):
/// `{"id","type","version","company_id","occurred_at","correlation_id","traceparent","data"}`.
public struct Envelope<Payload: Event>: Sendable, Codable {
    public var id: EventID
    public var type: EventType
    public var version: Int
    public var companyID: CompanyID
    public var occurredAt: Date
    /// The call UID or campaign id the event belongs to; carried into every log line that handles it.
    public var correlationID: String?
    /// W3C trace context, when the producer had one.
    public var traceparent: String?
    public var data: Payload

    /// A received envelope: the header as it was read, whatever type and version it names.
    public init(header: EnvelopeHeader, data: Payload) {
        self.id = header.id
        self.type = header.type
        self.version = header.version
        self.companyID = header.companyID
        self.occurredAt = header.occurredAt
        self.correlationID = header.correlationID
        self.traceparent = header.traceparent
        self.data = data
    }

    public init(
        id: EventID = .timeOrdered(), companyID: CompanyID, occurredAt: Date = Date(), correlationID: String? = nil,
        traceparent: String? = nil, data: Payload
    ) {
        self.id = id
        self.type = Payload.type
        self.version = Payload.version
        self.companyID = companyID
        self.occurredAt = occurredAt
        self.correlationID = correlationID
        self.traceparent = traceparent
        self.data = data
    }

    public var header: EnvelopeHeader {
        EnvelopeHeader(
            id: id, type: type, version: version, companyID: companyID, occurredAt: occurredAt, correlationID: correlationID,
            traceparent: traceparent)
    }

    enum CodingKeys: String, CodingKey {
        case id, type, version, data, traceparent
        case companyID = "company_id"
        case occurredAt = "occurred_at"
        case correlationID = "correlation_id"
    }
}

/// Everything in an envelope but its payload: what the transport, the outbox and the inbox need.
public struct EnvelopeHeader: Sendable, Codable, Hashable {
    public var id: EventID
    public var type: EventType
    public var version: Int
    public var companyID: CompanyID
    public var occurredAt: Date
    public var correlationID: String?
    public var traceparent: String?

    public init(
        id: EventID, type: EventType, version: Int, companyID: CompanyID, occurredAt: Date, correlationID: String?,
        traceparent: String?
    ) {
        self.id = id
        self.type = type
        self.version = version
        self.companyID = companyID
        self.occurredAt = occurredAt
        self.correlationID = correlationID
        self.traceparent = traceparent
    }

    enum CodingKeys: String, CodingKey {
        case id, type, version, traceparent
        case companyID = "company_id"
        case occurredAt = "occurred_at"
        case correlationID = "correlation_id"
    }
}

/// An envelope already encoded to JSON: what the outbox stores and the broker carries.
public struct EncodedEnvelope: Sendable, Hashable {
    public let header: EnvelopeHeader
    public let body: [UInt8]
    /// Where `data`'s value lies in `body`, when the scanner read the body; nil sends the whole body to the decoder.
    private let payload: Range<Int>?

    public init(header: EnvelopeHeader, body: [UInt8]) {
        self.header = header
        self.body = body
        self.payload = nil
    }

    public init<Payload: Event>(_ envelope: Envelope<Payload>, encoder: JSONEncoder = JSONCoding.encoder()) throws {
        self.header = envelope.header
        self.body = Array(try encoder.encode(envelope))
        self.payload = nil
    }

    /// Reads the header out of a received body; the payload is decoded later, by the consumer that knows its type.
    /// `EnvelopeHeaderScanner` reads the usual body; `decoder` whatever the scanner is unsure of.
    public init(body: [UInt8], decoder: JSONDecoder = JSONCoding.decoder()) throws {
        if let scanned = EnvelopeHeaderScanner.scan(body) {
            self.header = scanned.header
            self.payload = scanned.payload
        } else {
            self.header = try decoder.decode(EnvelopeHeader.self, from: Data(body))
            self.payload = nil
        }
        self.body = body
    }

    /// Equal when header and body are: where the payload lies follows from the body.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.header == rhs.header && lhs.body == rhs.body }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(header)
        hasher.combine(body)
    }

    /// The envelope with its payload. A scanned body's payload is decoded alone, with the header already read
    /// (decoding whole envelopes again was ~5 % of the machine in `loadgen bus`, end to end); any other body whole.
    /// An envelope of a version this reader does not understand (a producer bumped it for a breaking change) is
    /// unreadable rather than read under the old meaning: the consumer parks it as a dead letter, to replay once the
    /// reader is upgraded. The type is not compared: the queue's bindings chose it, and one payload may travel under
    /// several routing keys (the tests' `Numbered`).
    public func decode<Payload: Event>(_ payload: Payload.Type, decoder: JSONDecoder = JSONCoding.decoder()) throws -> Envelope<Payload> {
        guard Payload.readableVersions.contains(header.version) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: [],
                debugDescription: "\(header.type) version \(header.version) cannot be read by a reader of versions \(Payload.readableVersions)"))
        }
        guard let range = self.payload else { return try decoder.decode(Envelope<Payload>.self, from: Data(body)) }
        return Envelope(header: header, data: try decoder.decode(Payload.self, from: Data(body[range])))
    }
}

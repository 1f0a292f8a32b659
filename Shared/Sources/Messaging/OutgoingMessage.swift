public import Contracts
import Foundation

/// One message to publish on the events exchange, with the envelope's AMQP properties.
public struct OutgoingMessage: Sendable {
    public var routingKey: String
    public var messageID: String
    public var type: String
    public var correlationID: String?
    public var traceparent: String?
    /// Seconds since 1970, the AMQP `timestamp` property.
    public var timestamp: UInt64
    public var body: [UInt8]
    /// Empty publishes to the default exchange, where the routing key is a queue name.
    public var exchange: String

    public init(
        routingKey: String, messageID: String, type: String, correlationID: String? = nil, traceparent: String? = nil,
        timestamp: UInt64, body: [UInt8], exchange: String = Topology.eventsExchange
    ) {
        self.routingKey = routingKey
        self.messageID = messageID
        self.type = Self.shortString(type)
        self.correlationID = correlationID.map(Self.shortString)
        self.traceparent = traceparent
        self.timestamp = timestamp
        self.body = body
        self.exchange = exchange
    }

    /// AMQP short strings (`type`, `correlation_id`) hold at most 255 bytes; a longer one makes the broker close the
    /// connection, and the outbox would offer the same row again for ever. The envelope in the body keeps the whole
    /// value; the property is cut at a character boundary.
    static func shortString(_ text: String) -> String {
        guard text.utf8.count > 255 else { return text }
        var cut = ""
        var bytes = 0
        for character in text {
            let size = character.utf8.count
            guard bytes + size <= 255 else { break }
            cut.append(character)
            bytes += size
        }
        return cut
    }

    public init(_ envelope: EncodedEnvelope) {
        self.init(
            routingKey: envelope.header.type.rawValue, messageID: envelope.header.id.description, type: envelope.header.type.rawValue,
            correlationID: envelope.header.correlationID, traceparent: envelope.header.traceparent,
            timestamp: UInt64(max(0, envelope.header.occurredAt.timeIntervalSince1970)), body: envelope.body)
    }
}

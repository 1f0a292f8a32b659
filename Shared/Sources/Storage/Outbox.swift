public import Contracts
import Foundation
import PostgresNIO

/// Writes events into `<schema>.outbox` inside the caller's transaction, so an event exists if and only if the
/// state change that caused it committed. Only `OutboxRelay` publishes them.
public struct Outbox: Sendable {
    public let schema: SchemaName
    private let encoder = JSONCoding.encoder()

    public init(schema: SchemaName) { self.schema = schema }

    public func enqueue<Payload: Event>(_ envelope: Envelope<Payload>, in transaction: Transaction) async throws {
        try await enqueue([try EncodedEnvelope(envelope, encoder: encoder)], in: transaction)
    }

    /// Many events in one statement (`INSERT … SELECT FROM unnest`), in the given order.
    public func enqueue(_ envelopes: [EncodedEnvelope], in transaction: Transaction) async throws {
        guard !envelopes.isEmpty else { return }
        var ids: [UUID] = []
        var types: [String] = []
        var correlations: [String] = []
        var traceparents: [String] = []
        var occurred: [Date] = []
        var bodies: [String] = []
        for envelope in envelopes {
            ids.append(envelope.header.id.uuid)
            types.append(envelope.header.type.rawValue)
            correlations.append(envelope.header.correlationID ?? "")
            traceparents.append(envelope.header.traceparent ?? "")
            occurred.append(envelope.header.occurredAt)
            bodies.append(String(decoding: envelope.body, as: UTF8.self))
        }
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema.rawValue).outbox (event_id, event_type, correlation_id, traceparent, occurred_at, body)
            SELECT id, type, NULLIF(correlation, ''), NULLIF(traceparent, ''), occurred, body
            FROM unnest(\(ids)::uuid[], \(types)::text[], \(correlations)::text[], \(traceparents)::text[],
                        \(occurred)::timestamptz[], \(bodies)::text[])
                 WITH ORDINALITY AS e(id, type, correlation, traceparent, occurred, body, position)
            ORDER BY position
            """)
    }
}

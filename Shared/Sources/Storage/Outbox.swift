public import Contracts
import Foundation
public import PostgresNIO

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
        var binds = PostgresBindings(capacity: 6)
        Self.append(envelopes, to: &binds)
        try await transaction.query(PostgresQuery(unsafeSQL: Self.insert(schema: schema.rawValue, firstParameter: 1), binds: binds))
    }

    /// The insert `enqueue` runs, for a hot path that writes its state and its events in one statement (as a part
    /// `WITH events AS (…)`); it takes six parameters from `$firstParameter` on, bound by `append(_:to:)`. With no
    /// events it inserts nothing, but the outbox's statement trigger still runs: use it only when there are events.
    /// `condition`, a boolean SQL expression, lets the events depend on another part of the statement
    /// (`EXISTS (SELECT FROM call)`): they are inserted only if it holds.
    public static func insert(schema: String, firstParameter first: Int, when condition: String? = nil) -> String {
        let p = (first..<(first + 6)).map { "$\($0)" }
        return """
            INSERT INTO \(schema).outbox (event_id, event_type, correlation_id, traceparent, occurred_at, body)
            SELECT id, type, NULLIF(correlation, ''), NULLIF(traceparent, ''), occurred, body
            FROM unnest(\(p[0])::uuid[], \(p[1])::text[], \(p[2])::text[], \(p[3])::text[], \(p[4])::timestamptz[], \(p[5])::text[])
                 WITH ORDINALITY AS e(id, type, correlation, traceparent, occurred, body, position)
            \(condition.map { "WHERE \($0)\n" } ?? "")ORDER BY position
            """
    }

    /// The six parameters of `insert(schema:firstParameter:)`, in order.
    public static func append(_ envelopes: [EncodedEnvelope], to binds: inout PostgresBindings) {
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
        binds.append(ids)
        binds.append(types)
        binds.append(correlations)
        binds.append(traceparents)
        binds.append(occurred)
        binds.append(bodies)
    }
}

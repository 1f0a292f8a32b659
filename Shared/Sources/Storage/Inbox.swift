public import Contracts
import Foundation
public import Logging
import PostgresNIO

/// What an inbox handler gets: the event, the open transaction its effects must use, and a logger that
/// carries the event's correlation id.
public struct InboxContext: Sendable {
    public let envelope: EncodedEnvelope
    public let transaction: Transaction
    public let logger: Logger

    public func decode<Payload: Event>(_ payload: Payload.Type) throws -> Envelope<Payload> {
        try envelope.decode(payload)
    }
}

/// Exactly-once effects over at-least-once delivery: `(event_id, consumer)` goes into `<schema>.inbox` in the
/// same transaction as the handler's effects. A duplicate finds its row already there and changes nothing.
public struct Inbox: Sendable {
    public let database: Database
    /// The consumer's name in the inbox table; two consumers of one event in one service need two names.
    public let consumer: String

    public init(database: Database, consumer: String) {
        self.database = database
        self.consumer = consumer
    }

    /// Applies every new event of `envelopes` in one transaction; duplicates (already recorded, or repeated in
    /// the batch) are skipped. Returns how many were new. If `handler` throws, nothing of the batch commits.
    @discardableResult
    public func handle(
        _ envelopes: [EncodedEnvelope], handler: (InboxContext) async throws -> Void
    ) async throws -> Int {
        guard !envelopes.isEmpty else { return 0 }
        let schema = database.schema.rawValue
        let ids = envelopes.map(\.header.id.uuid)
        return try await database.withTransaction { transaction in
            var fresh: Set<UUID> = []
            let inserted = try await transaction.query(
                """
                INSERT INTO \(unescaped: schema).inbox (event_id, consumer)
                SELECT id, \(consumer) FROM unnest(\(ids)::uuid[]) AS ids(id)
                ON CONFLICT DO NOTHING
                RETURNING event_id
                """)
            for try await id in inserted.decode(UUID.self) { fresh.insert(id) }
            var applied = 0
            for envelope in envelopes where fresh.remove(envelope.header.id.uuid) != nil {
                var logger = database.logger
                logger[metadataKey: "event_id"] = "\(envelope.header.id)"
                logger[metadataKey: "event_type"] = "\(envelope.header.type)"
                if let correlationID = envelope.header.correlationID { logger[metadataKey: "correlation_id"] = "\(correlationID)" }
                try await handler(InboxContext(envelope: envelope, transaction: transaction, logger: logger))
                applied += 1
            }
            return applied
        }
    }

    public func handle(_ envelope: EncodedEnvelope, handler: (InboxContext) async throws -> Void) async throws -> Bool {
        try await handle([envelope], handler: handler) == 1
    }
}

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

/// The new events of one inbox batch (in delivery order, without duplicates) and the transaction their effects
/// must use.
public struct InboxBatch: Sendable {
    public let envelopes: [EncodedEnvelope]
    public let transaction: Transaction
    public let logger: Logger

    /// One context per event, each with a logger carrying the event's id, type and correlation id.
    public var contexts: [InboxContext] {
        envelopes.map { envelope in
            var logger = logger
            logger[metadataKey: "event_id"] = "\(envelope.header.id)"
            logger[metadataKey: "event_type"] = "\(envelope.header.type)"
            if let correlationID = envelope.header.correlationID { logger[metadataKey: "correlation_id"] = "\(correlationID)" }
            return InboxContext(envelope: envelope, transaction: transaction, logger: logger)
        }
    }

    /// Runs a per-event handler over the batch, in order.
    public func apply(_ handler: (InboxContext) async throws -> Void) async throws {
        for context in contexts { try await handler(context) }
    }

    public func decode<Payload: Event>(_ payload: Payload.Type) throws -> [Envelope<Payload>] {
        let decoder = JSONCoding.decoder()
        return try envelopes.map { try $0.decode(payload, decoder: decoder) }
    }
}

/// Exactly-once effects over at-least-once delivery: `(event_id, consumer)` goes into `<schema>.inbox` in the
/// same transaction as the handler's effects. A duplicate finds its row already there and changes nothing.
public struct Inbox: Sendable {
    public let database: Database
    /// The consumer's name in the inbox table; two consumers of one event in one service need two names.
    public let consumer: String
    /// Runs of one batch in all when PostgreSQL aborts it as a deadlock or serialization failure.
    public let conflictAttempts: Int

    public init(database: Database, consumer: String, conflictAttempts: Int = 3) {
        self.database = database
        self.consumer = consumer
        self.conflictAttempts = conflictAttempts
    }

    /// Applies every new event of `envelopes` in one transaction; duplicates (already recorded, or repeated in
    /// the batch) are skipped. Returns how many were new. If `handler` throws, nothing of the batch commits.
    @discardableResult
    public func handle(
        _ envelopes: [EncodedEnvelope], handler: (InboxContext) async throws -> Void
    ) async throws -> Int {
        try await handleBatch(envelopes) { batch in
            try await batch.apply(handler)
        }
    }

    /// Like `handle`, but the handler gets all new events of the batch at once, so it can apply them with one
    /// statement (`INSERT … SELECT FROM unnest(…)`) instead of one per event: what the hot paths use.
    @discardableResult
    public func handleBatch(
        _ envelopes: [EncodedEnvelope], handler: (InboxBatch) async throws -> Void
    ) async throws -> Int {
        guard !envelopes.isEmpty else { return 0 }
        let schema = database.schema.rawValue
        let ids = envelopes.map(\.header.id.uuid)
        // Handlers only write to the database (effects elsewhere go through the outbox or a worker queue), so a batch
        // PostgreSQL aborted for colliding with another transaction can simply run again.
        return try await database.withTransaction(retryingConflicts: conflictAttempts) { transaction in
            var fresh: Set<UUID> = []
            // In id order: two batches holding the same event (a redelivery, a duplicate publish, two replicas) then
            // wait for each other on it instead of each holding one the other needs, which PostgreSQL ends as a deadlock.
            let inserted = try await transaction.query(
                """
                INSERT INTO \(unescaped: schema).inbox (event_id, consumer)
                SELECT id, \(consumer) FROM unnest(\(ids)::uuid[]) AS ids(id) ORDER BY id
                ON CONFLICT DO NOTHING
                RETURNING event_id
                """)
            for try await id in inserted.decode(UUID.self) { fresh.insert(id) }
            let new = envelopes.filter { fresh.remove($0.header.id.uuid) != nil }
            guard !new.isEmpty else { return 0 }
            try await handler(InboxBatch(envelopes: new, transaction: transaction, logger: database.logger))
            return new.count
        }
    }
}

extension Inbox {
    /// Deletes the inbox rows received more than `retention` ago, oldest first through the `received_at` index,
    /// `chunk` rows per statement (short row locks, no one huge delete); returns how many went. An event's row only
    /// has to outlive every redelivery and republish of it (seconds to minutes), so the table need not keep every
    /// event ever consumed.
    ///
    /// Except while a copy of the event waits in the schema's `dead_letters` (DeadLetters): a replay can bring it back
    /// any time later (a copy published twice and parked once, or a replay whose confirm timed out after the broker
    /// took it), and only the inbox row keeps it from being applied twice.
    @discardableResult
    public static func prune(_ database: Database, olderThan retention: Duration, chunk: Int = 10_000) async throws -> Int {
        let schema = database.schema.rawValue
        let table = "\(schema).inbox"
        let seconds = Double(retention.components.seconds)
        var keepsDeadLetters = false
        for try await name in try await database.query("SELECT to_regclass(\(schema + ".dead_letters"))::text").decode(String?.self) {
            keepsDeadLetters = name != nil
        }
        let parked = keepsDeadLetters ? "AND NOT EXISTS (SELECT 1 FROM \(schema).dead_letters d WHERE d.event_id = i.event_id)" : ""
        var total = 0
        while true {
            let rows = try await database.query(
                """
                WITH doomed AS (
                    SELECT ctid FROM \(unescaped: table) i WHERE received_at < now() - make_interval(secs => \(seconds)) \(unescaped: parked)
                    ORDER BY received_at LIMIT \(chunk))
                DELETE FROM \(unescaped: table) WHERE ctid IN (SELECT ctid FROM doomed)
                RETURNING 1
                """)
            var deleted = 0
            for try await _ in rows { deleted += 1 }
            total += deleted
            if deleted < chunk { return total }
        }
    }
}

public import Contracts
public import Foundation
public import Messaging
import PostgresNIO

/// A service's dead letters (ARCHITECTURE.md: listed and replayed through the owning service's API), kept in
/// `<schema>.dead_letters`.
///
/// The broker parks a message its consumer could not apply in `<queue>.dead`. `DeadLetterKeeper` moves each one into
/// the table, where a company's letters are found by an index (D-28: a company sees and replays only the letters
/// whose envelope names it) instead of by reading the whole parking queue, and where reading them neither holds them
/// nor counts as a delivery. A replay works like the outbox relay: it deletes the rows and publishes them in one
/// transaction that commits only once the broker confirmed, so a crash in between leaves the letters to replay again,
/// and the consumer's inbox applies each event once.
public struct DeadLetters: Sendable {
    /// One kept dead letter.
    public struct Letter: Sendable, Hashable {
        public var id: Int64
        /// The queue the message died in.
        public var queue: String
        /// Why the broker parked it: `delivery_limit` (its handler kept failing) or `rejected` (refused at once).
        public var reason: String?
        public var eventID: EventID
        public var eventType: String
        public var occurredAt: Date
        public var correlationID: String?
        public var parkedAt: Date
        /// The envelope as published.
        public var body: [UInt8]
    }

    public struct Replay: Sendable, Hashable {
        public var replayed: [EventID]
        /// Asked for, but not among the company's dead letters (never parked, or replayed already).
        public var notFound: [EventID]
    }

    /// A replay found the queue its letters died in missing on the broker; nothing was replayed or forgotten.
    public struct QueueMissing: Error, CustomStringConvertible {
        public let queue: String
        public var description: String { "the queue \(queue) does not exist on the broker" }
    }

    public let database: Database
    let publisher: AMQPConnection
    /// How long a replay waits for the broker's confirm before it gives up and keeps the letters.
    let confirmTimeout: Duration

    public init(database: Database, publisher: AMQPConnection, confirmTimeout: Duration = .seconds(10)) {
        self.database = database
        self.publisher = publisher
        self.confirmTimeout = confirmTimeout
    }

    private var table: String { database.schema.rawValue + ".dead_letters" }

    /// The company's letters, newest first: up to `limit` from before the letter with id `before`.
    public func list(company: CompanyID, queue: String? = nil, before: Int64? = nil, limit: Int) async throws -> [Letter] {
        let rows = try await database.query(
            """
            SELECT id, queue, reason, event_id, event_type, occurred_at, correlation_id, parked_at, body
            FROM \(unescaped: table)
            WHERE company_id = \(company.uuid) AND (\(queue)::text IS NULL OR queue = \(queue))
              AND (\(before)::bigint IS NULL OR id < \(before))
            ORDER BY id DESC
            LIMIT \(limit)
            """)
        var letters: [Letter] = []
        for try await (id, queue, reason, eventID, type, occurredAt, correlationID, parkedAt, body) in rows.decode(
            (Int64, String, String?, UUID, String, Date, String?, Date, ByteBuffer).self)
        {
            letters.append(
                Letter(
                    id: id, queue: queue, reason: reason, eventID: EventID(eventID), eventType: type, occurredAt: occurredAt,
                    correlationID: correlationID, parkedAt: parkedAt, body: Array(body.readableBytesView)))
        }
        return letters
    }

    /// Puts the company's letters with these event ids back on the queues they died in (straight to the queue, so
    /// only the consumer that failed sees the event again, with a fresh delivery count), and forgets them.
    ///
    /// A replay that fails after the broker took the copies (its confirm timed out) keeps the letters although the
    /// events may be applied: replayed again, they change nothing, because the consumer's inbox keeps the row of an
    /// event while a letter of it is here (`Inbox.prune`), however long that is, and for a full retention after its
    /// replay.
    public func replay(company: CompanyID, eventIDs: Set<EventID>, queue: String? = nil) async throws -> Replay {
        let ids = eventIDs.map(\.uuid)
        // The broker confirms a message for a queue that is gone (deleted by hand) and drops it: look first, before the
        // transaction, so that it holds its connection only for the publish.
        let queues = try await database.query(
            """
            SELECT DISTINCT queue FROM \(unescaped: table)
            WHERE company_id = \(company.uuid) AND event_id = ANY(\(ids)::uuid[]) AND (\(queue)::text IS NULL OR queue = \(queue))
            """)
        for try await name in queues.decode(String.self) where try await publisher.status(ofQueue: name) == nil {
            throw QueueMissing(queue: name)
        }
        let replayed = try await database.withTransaction { transaction -> Set<EventID> in
            let rows = try await transaction.query(
                """
                DELETE FROM \(unescaped: table)
                WHERE company_id = \(company.uuid) AND event_id = ANY(\(ids)::uuid[]) AND (\(queue)::text IS NULL OR queue = \(queue))
                RETURNING id, queue, event_id, event_type, correlation_id, traceparent, occurred_at, body
                """)
            var messages: [(id: Int64, message: OutgoingMessage, eventID: EventID)] = []
            for try await (id, queue, eventID, type, correlationID, traceparent, occurredAt, body) in rows.decode(
                (Int64, String, UUID, String, String?, String?, Date, ByteBuffer).self)
            {
                let message = OutgoingMessage(
                    routingKey: queue, messageID: EventID(eventID).description, type: type, correlationID: correlationID,
                    traceparent: traceparent, timestamp: UInt64(max(0, occurredAt.timeIntervalSince1970)),
                    body: Array(body.readableBytesView), exchange: "")
                messages.append((id, message, EventID(eventID)))
            }
            messages.sort { $0.id < $1.id }  // in the order they died
            // Once the letters are gone nothing keeps `Inbox.prune` from deleting the inbox rows of events applied long
            // ago, while the replayed copies still wait in the queue: their retention starts again now.
            try await transaction.query(
                "UPDATE \(unescaped: database.schema.rawValue).inbox SET received_at = now() WHERE event_id = ANY(\(messages.map(\.eventID.uuid))::uuid[])")
            try await publisher.send(messages.map(\.message)).wait(timeout: confirmTimeout)
            return Set(messages.map(\.eventID))
        }
        let order = eventIDs.sorted { $0.description < $1.description }
        return Replay(replayed: order.filter(replayed.contains), notFound: order.filter { !replayed.contains($0) })
    }

    /// Keeps parked messages (what `DeadLetterKeeper` does with each batch); one read twice is kept once. Any message
    /// can be stored: the body goes in as bytes, and the texts lose the NUL characters PostgreSQL refuses (a header may
    /// carry them, and so may an envelope's escaped JSON), so a failure here is the database's, not the message's.
    public func keep(_ deliveries: [Delivery], from queue: String) async throws {
        func text(_ value: String?) -> String? { value.map { $0.contains("\u{0}") ? $0.replacingOccurrences(of: "\u{0}", with: "") : $0 } }
        try await database.withTransaction { transaction in
            for delivery in deliveries {
                let header = try? EncodedEnvelope(body: delivery.body).header
                try await transaction.query(
                    """
                    INSERT INTO \(unescaped: table)
                        (queue, message_id, reason, event_id, company_id, event_type, correlation_id, traceparent, occurred_at, body)
                    VALUES (\(queue), \(text(delivery.messageID)), \(text(delivery.deadLetterReason)), \(header?.id.uuid),
                            \(header?.companyID.uuid), \(text(header?.type.rawValue ?? delivery.type)), \(text(header?.correlationID)),
                            \(text(header?.traceparent ?? delivery.traceparent)), \(header?.occurredAt), \(ByteBuffer(bytes: delivery.body)))
                    ON CONFLICT (queue, event_id) DO NOTHING
                    """)
            }
        }
    }
}

import Contracts
import Foundation
public import Logging
public import Messaging
import Metrics
import PostgresNIO
public import ServiceLifecycle

/// Publishes `<schema>.outbox` rows in insertion order with publisher confirms, then deletes them: the outbox holds
/// only what is still to be published. Marking rows published instead rewrote each ~500-byte row and its index
/// entries, most of what relaying cost PostgreSQL (23 ms against 6 ms per 1,000 rows in EXPLAIN ANALYZE). Earlier
/// releases marked them (`published_at`); the pending index and the column stay, so that such a release can still run
/// beside this one during a rolling deploy or after a rollback, and the rows it marked are deleted by the cleanup.
///
/// While rows keep coming it drains them back to back. Once the outbox is empty it marks itself waiting in
/// `<schema>.outbox_waiters`, and only then does the outbox trigger NOTIFY: a NOTIFY serialises every committing
/// transaction of the database on one lock, which busy services cannot afford. A poll is the backstop. Rows are claimed with
/// `FOR UPDATE SKIP LOCKED` inside the transaction that deletes them, so replicas never publish the same row
/// concurrently; a crash after the broker confirmed but before the commit re-publishes the batch, and the
/// consumers' inbox drops the duplicates.
public final class OutboxRelay: Service {
    public struct Configuration: Sendable {
        public var batchSize: Int
        public var pollInterval: Duration
        public var maximumBackoff: Duration
        /// Batches sent and not yet confirmed. A quorum queue confirms a batch only after its Raft log is on
        /// disk (~150 ms for 1,000 messages here), so throughput is batches in flight ÷ that latency.
        public var batchesInFlight: Int
        /// A batch the broker has not confirmed within this long is rolled back and tried again later (a broker
        /// under a memory or disk alarm confirms nothing): its transaction, row locks and pooled connection are not
        /// held for the whole alarm, and a stopping service does not wait for it. Confirms take well under a second
        /// otherwise (BENCHMARKS.md).
        public var confirmTimeout: Duration

        public init(
            batchSize: Int = 1_000, pollInterval: Duration = .seconds(1), maximumBackoff: Duration = .seconds(5), batchesInFlight: Int = 4,
            confirmTimeout: Duration = .seconds(10)
        ) {
            self.batchesInFlight = max(1, batchesInFlight)
            self.confirmTimeout = confirmTimeout
            self.batchSize = batchSize
            self.pollInterval = pollInterval
            self.maximumBackoff = maximumBackoff
        }
    }

    private let database: Database
    private let publisher: any EventPublisher
    private let configuration: Configuration
    private let logger: Logger
    private let wake = WakeSignal()
    /// This relay's row in `outbox_waiters`.
    private let relayID = UUID.random()
    private let relayed: Counter
    private let failures: Counter

    public init(database: Database, publisher: any EventPublisher, configuration: Configuration = Configuration(), logger: Logger) {
        self.database = database
        self.publisher = publisher
        self.configuration = configuration
        self.logger = logger
        self.relayed = Counter(label: "outbox_relayed_total", dimensions: [("schema", database.schema.rawValue)])
        self.failures = Counter(label: "outbox_relay_failures_total", dimensions: [("schema", database.schema.rawValue)])
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.listen() }
            await withGracefulShutdownHandler {
                await self.relayUntilShutdown()
            } onGracefulShutdown: {
                self.wake.signal()
            }
            group.cancelAll()
        }
    }

    /// Publishes pending rows until a batch comes back short or the service is asked to stop; returns how many rows
    /// it published.
    ///
    /// Several batches are in flight at once: while the broker confirms one (its rows stay locked in its open
    /// transaction), the next is claimed with `SKIP LOCKED` and put on the wire behind it, so the waits for
    /// confirms overlap and the order of publishing stays the order of the rows.
    @discardableResult
    public func relayOnce() async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            var inFlight = 0
            var total = 0
            var exhausted = false
            var previous: PublishTicket?
            while !exhausted {
                let sent = OneShot<(count: Int, ticket: PublishTicket?)>()
                group.addTask { [previous] in try await self.relayBatch(after: previous, announcingSend: sent) }
                inFlight += 1
                let announced = try await sent.value()
                previous = announced.ticket
                // A stopping relay finishes what it sent and claims nothing more: with other replicas (or a backlog
                // after an outage) filling the outbox, "until a batch comes back short" could outlast any grace period.
                exhausted = announced.count < configuration.batchSize || Task.isShuttingDownGracefully || Task.isCancelled
                if inFlight == configuration.batchesInFlight || exhausted, let count = try await group.next() {
                    total += count
                    inFlight -= 1
                }
            }
            while let count = try await group.next() { total += count }
            return total
        }
    }

    /// One batch in its own transaction: claim and delete in one statement, send, announce how many rows went
    /// out, await the confirms, commit. If the broker refuses or the process dies first, the transaction rolls
    /// back and the rows are pending again. Sent only behind `previous`: if that batch failed (a lost connection)
    /// before this one went on the wire, this one fails too, rather than going out on the new connection ahead of
    /// the earlier rows' second try.
    private func relayBatch(after previous: PublishTicket?, announcingSend sent: OneShot<(count: Int, ticket: PublishTicket?)>) async throws -> Int {
        defer { sent.fulfill(.success((0, nil))) }  // a failure before sending must not leave the loop waiting
        let schema = database.schema.rawValue
        return try await database.withTransaction { transaction in
            // The pending index's order, never a sort: an outbox filled faster than autovacuum analyses it looks nearly
            // empty to the planner, which then sorted every pending row (to disk) to take the first thousand, each batch.
            try await transaction.query("SET LOCAL enable_sort = off")
            let rows = try await transaction.query(
                """
                DELETE FROM \(unescaped: schema).outbox
                WHERE id IN (
                    SELECT id FROM \(unescaped: schema).outbox
                    WHERE published_at IS NULL
                    ORDER BY id
                    LIMIT \(configuration.batchSize)
                    FOR UPDATE SKIP LOCKED)
                RETURNING id, event_id::text, event_type, correlation_id, traceparent, occurred_at, body
                """)
            var claimed: [(id: Int64, message: OutgoingMessage)] = []
            // The id as PostgreSQL spells it (lowercase) and the body as the bytes it sends: no conversions per row.
            for try await (id, eventID, type, correlationID, traceparent, occurredAt, body) in rows.decode(
                (Int64, String, String, String?, String?, Date, ByteBuffer).self)
            {
                claimed.append(
                    (id,
                     OutgoingMessage(
                        routingKey: type, messageID: eventID, type: type, correlationID: correlationID, traceparent: traceparent,
                        timestamp: UInt64(max(0, occurredAt.timeIntervalSince1970)), body: Array(body.readableBytesView))))
            }
            guard !claimed.isEmpty else { return 0 }
            // RETURNING has no order; publish in insertion order.
            claimed.sort { $0.id < $1.id }
            let ticket = publisher.send(claimed.map(\.message), after: previous)
            sent.fulfill(.success((claimed.count, ticket)))
            try await ticket.wait(timeout: configuration.confirmTimeout)
            return claimed.count
        }
    }

    private func relayUntilShutdown() async {
        var backoff = Duration.milliseconds(100)
        var lastCleanup = ContinuousClock.now
        var waiting = false
        var markedAt = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let count = try await relayOnce()
                relayed.increment(by: count)
                backoff = .milliseconds(100)
                if ContinuousClock.now - lastCleanup > .seconds(600) {
                    lastCleanup = .now
                    try await deleteLeftovers()
                }
                if count > 0 {
                    if waiting {
                        try await setWaiting(false)
                        waiting = false
                    }
                    // Busy: nobody notifies now, so look again soon; a full batch means more is queued already. The
                    // pause lets a trickle gather into one batch instead of one broker round trip per event.
                    if count < configuration.batchSize { await wake.wait(timeout: .milliseconds(20)) }
                    continue
                }
                // Marked on going idle, and refreshed while idle so the trigger keeps counting this relay.
                if !waiting || ContinuousClock.now - markedAt > .seconds(30) {
                    try await setWaiting(true)
                    waiting = true
                    markedAt = .now
                }
                // A row whose insert saw no waiter yet may commit just after the flag did: look twice more (at once
                // and shortly after) before sleeping until a NOTIFY or the poll.
                let late = try await relayOnce()
                relayed.increment(by: late)
                if late > 0 { continue }
                await wake.wait(timeout: .milliseconds(25))
                let later = try await relayOnce()
                relayed.increment(by: later)
                if later > 0 { continue }
                await wake.wait(timeout: configuration.pollInterval)
            } catch {
                failures.increment()
                logger.warning("outbox relay failed; retrying", metadata: ["error": "\(String(reflecting: error))", "retry_in": "\(backoff)"])
                await wake.wait(timeout: backoff)
                backoff = min(backoff * 2, configuration.maximumBackoff)
            }
        }
        await sayGoodbye()
    }

    /// Removes this relay's waiting mark, even when the relay was cancelled (a test or `loadgen` stopping its
    /// services) rather than shut down: a mark left behind makes the outbox trigger NOTIFY on every insert for two
    /// minutes, and a NOTIFY serialises the commits of the whole database. Whichever comes first, the answer or two
    /// seconds, ends the wait: a half-open connection must not hold up the shutdown.
    private func sayGoodbye() async {
        let (database, relayID) = (database, relayID)
        await bounded(.seconds(2), fallback: ()) {
            _ = try? await database.query("DELETE FROM \(unescaped: database.schema.rawValue).outbox_waiters WHERE relay_id = \(relayID)")
        }
    }

    /// Marks this relay waiting (inserts then NOTIFY) or busy; refreshed on every poll while waiting.
    private func setWaiting(_ waiting: Bool) async throws {
        try await database.query(
            """
            INSERT INTO \(unescaped: database.schema.rawValue).outbox_waiters (relay_id, waiting, updated_at) VALUES (\(relayID), \(waiting), now())
            ON CONFLICT (relay_id) DO UPDATE SET waiting = excluded.waiting, updated_at = excluded.updated_at
            """)
    }

    /// Rows an earlier release marked published (they are on the broker), and the waiting marks of relays long gone.
    private func deleteLeftovers() async throws {
        try await database.query("DELETE FROM \(unescaped: database.schema.rawValue).outbox WHERE published_at IS NOT NULL")
        // Rows of relays that died without saying goodbye (killed, or a test cancelled): the trigger ignores them
        // after two minutes, but it still reads them on every insert (a few hundred of them were ~2 % of the machine
        // in `loadgen route`). A waiting relay refreshes its row every 30 s and a busy one writes it again when it
        // next waits, so five minutes takes only the dead.
        try await database.query(
            "DELETE FROM \(unescaped: database.schema.rawValue).outbox_waiters WHERE updated_at < now() - interval '5 minutes'")
    }

    /// Holds one pooled connection in LISTEN; reconnects after a failure until cancelled.
    private func listen() async {
        let channel = database.schema.outboxChannel
        while !Task.isCancelled {
            do {
                try await database.client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        self.wake.signal()  // rows may have arrived while we were not listening
                        for try await _ in notifications { self.wake.signal() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("outbox LISTEN ended; reconnecting", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}

import Contracts
import Foundation
public import Logging
public import Messaging
import Metrics
import PostgresNIO
public import ServiceLifecycle

/// Consumes a queue through the inbox: each batch of deliveries is applied in one transaction and acked
/// after the commit. If the batch fails, each message is retried alone, so one poison message is requeued
/// (and after the queue's delivery limit dead-lettered) without holding back the others. A body that is
/// not an envelope, or whose payload its handler cannot decode, is dead-lettered at once. If the batch failed
/// because the database is unavailable, the batch is held and tried again until it answers.
public final class InboxConsumer: Service {
    public typealias Handler = @Sendable (InboxContext) async throws -> Void
    public typealias BatchHandler = @Sendable (InboxBatch) async throws -> Void

    private let inbox: Inbox
    private let consumer: MessageConsumer
    private let logger: Logger

    /// One event at a time (still one transaction per batch).
    public convenience init(
        name: String, database: Database, connection: AMQPConnection, configuration: MessageConsumer.Configuration, logger: Logger,
        handler: @escaping Handler
    ) {
        self.init(name: name, database: database, connection: connection, configuration: configuration, logger: logger) { batch in
            try await batch.apply(handler)
        }
    }

    /// All new events of a batch at once, for effects applied with one statement.
    public init(
        name: String, database: Database, connection: AMQPConnection, configuration: MessageConsumer.Configuration, logger: Logger,
        batchHandler handler: @escaping BatchHandler
    ) {
        let inbox = Inbox(database: database, consumer: name)
        var consumerLogger = logger
        consumerLogger[metadataKey: "consumer"] = "\(name)"
        let logger = consumerLogger
        self.inbox = inbox
        self.logger = logger
        let dimensions = [("consumer", name)]
        let applied = Counter(label: "inbox_applied_total", dimensions: dimensions)
        let duplicates = Counter(label: "inbox_duplicates_total", dimensions: dimensions)
        let failed = Counter(label: "inbox_failures_total", dimensions: dimensions)
        let batchSizes = Recorder(label: "inbox_batch_size", dimensions: dimensions)
        self.consumer = MessageConsumer(connection: connection, configuration: configuration, logger: logger) { deliveries in
            await Self.process(
                deliveries, inbox: inbox, handler: handler, logger: logger,
                metrics: (applied, duplicates, failed, batchSizes))
        }
    }

    public func run() async throws { try await consumer.run() }

    private typealias Meters = (applied: Counter, duplicates: Counter, failed: Counter, batchSizes: Recorder)

    private static func process(
        _ deliveries: [Delivery], inbox: Inbox, handler: BatchHandler, logger: Logger,
        metrics: Meters
    ) async -> [DeliveryOutcome] {
        var outcomes = [DeliveryOutcome](repeating: .ack, count: deliveries.count)
        var envelopes: [(index: Int, envelope: EncodedEnvelope)] = []
        let decoder = JSONCoding.decoder()
        for (index, delivery) in deliveries.enumerated() {
            do {
                envelopes.append((index, try EncodedEnvelope(body: delivery.body, decoder: decoder)))
            } catch {
                logger.error("not an event envelope; dead-lettered", metadata: ["message_id": "\(delivery.messageID ?? "-")", "error": "\(error)"])
                outcomes[index] = .reject
            }
        }
        guard !envelopes.isEmpty else { return outcomes }
        metrics.batchSizes.record(envelopes.count)
        var outage: DatabaseOutage?
        while true {
            do {
                let applied = try await inbox.handleBatch(envelopes.map(\.envelope), handler: handler)
                metrics.applied.increment(by: applied)
                metrics.duplicates.increment(by: envelopes.count - applied)
                outage?.ended(logger: logger)
                return outcomes
            } catch let batchError {
                // A database that does not answer, or refuses all work (read-only after a failover, disk full), is no
                // message's fault. Requeued, every message would come straight back, fail again, and reach the queue's
                // delivery limit within seconds: the whole backlog dead-lettered by one outage (after a minute of
                // failures postgres-nio fails every request at once). Held instead, the deliveries stay ours, so the
                // broker neither redelivers nor counts them.
                if await inbox.database.isOutage(batchError) {
                    var current = outage ?? DatabaseOutage(held: envelopes.count, error: batchError, logger: logger)
                    let retry = await current.waitForRetry()
                    outage = current
                    if retry { continue }
                    return outcomes.map { $0 == .ack ? .requeue : $0 }  // stopping: the next consumer takes them
                }
                outage?.ended(logger: logger)
                await retryOneByOne(
                    envelopes, deliveries: deliveries, batchError: batchError, outcomes: &outcomes, inbox: inbox, handler: handler,
                    logger: logger, metrics: metrics)
                return outcomes
            }
        }
    }

    /// The batch failed with the database answering: each message alone, so only the ones that fail are requeued
    /// (or dead-lettered when unreadable).
    private static func retryOneByOne(
        _ envelopes: [(index: Int, envelope: EncodedEnvelope)], deliveries: [Delivery], batchError: any Error,
        outcomes: inout [DeliveryOutcome], inbox: Inbox, handler: BatchHandler, logger: Logger, metrics: Meters
    ) async {
        if envelopes.count > 1 {
            logger.debug("batch failed; retrying its messages one by one", metadata: ["error": "\(String(reflecting: batchError))"])
        }
        for (index, envelope) in envelopes {
            do {
                guard envelopes.count > 1 else { throw batchError }
                let applied = try await inbox.handleBatch([envelope], handler: handler)
                if applied == 1 { metrics.applied.increment() } else { metrics.duplicates.increment() }
            } catch {
                metrics.failed.increment()
                // A payload the handler cannot decode never will be: park it now rather than after every retry.
                let unreadable = error is DecodingError
                outcomes[index] = unreadable ? .reject : .requeue
                logger.warning(
                    unreadable ? "payload unreadable; message dead-lettered" : "handler failed; message requeued",
                    metadata: [
                        "event_id": "\(envelope.header.id)", "event_type": "\(envelope.header.type)",
                        "correlation_id": "\(envelope.header.correlationID ?? "-")", "delivery_count": "\(deliveries[index].deliveryCount)",
                        "error": "\(String(reflecting: error))",
                    ])
            }
        }
    }
}

/// A database outage seen by one inbox batch: logged once when it starts and once when it ends, retried with a
/// growing pause in between.
private struct DatabaseOutage {
    private let started = ContinuousClock.now
    private var pause: Duration = .milliseconds(100)

    init(held: Int, error: any Error, logger: Logger) {
        logger.warning(
            "database unavailable; holding the batch until it answers", metadata: ["held": "\(held)", "error": "\(String(reflecting: error))"])
    }

    /// Waits before the next try; false if the service is stopping (or cancelled) instead.
    mutating func waitForRetry() async -> Bool {
        _ = try? await cancelWhenGracefulShutdown { [pause] in try await Task.sleep(for: pause) }
        pause = min(pause * 2, .seconds(5))
        return !Task.isCancelled && !Task.isShuttingDownGracefully
    }

    func ended(logger: Logger) {
        logger.notice("database answers again; batch retried", metadata: ["held_for": "\(ContinuousClock.now - started)"])
    }
}

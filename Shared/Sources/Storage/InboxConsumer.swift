import Contracts
import Foundation
public import Logging
public import Messaging
import Metrics
public import ServiceLifecycle

/// Consumes a queue through the inbox: each batch of deliveries is applied in one transaction and acked
/// after the commit. If the batch fails, each message is retried alone, so one poison message is requeued
/// (and after the queue's delivery limit dead-lettered) without holding back the others. A body that is
/// not an envelope, or whose payload its handler cannot decode, is dead-lettered at once.
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

    private static func process(
        _ deliveries: [Delivery], inbox: Inbox, handler: BatchHandler, logger: Logger,
        metrics: (applied: Counter, duplicates: Counter, failed: Counter, batchSizes: Recorder)
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
        do {
            let applied = try await inbox.handleBatch(envelopes.map(\.envelope), handler: handler)
            metrics.applied.increment(by: applied)
            metrics.duplicates.increment(by: envelopes.count - applied)
        } catch let batchError {
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
        return outcomes
    }
}

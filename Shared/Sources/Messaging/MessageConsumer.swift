public import Logging
public import ServiceLifecycle

/// Runs handlers over one queue's deliveries: up to `concurrency` batches at once, each of up to `maxBatch`
/// deliveries, acked (or nacked) after the handler returns. On graceful shutdown it stops the broker's
/// deliveries, finishes what it already received, settles it, and returns.
public final class MessageConsumer: Service {
    public struct Configuration: Sendable {
        public var queue: String
        public var prefetch: UInt16
        public var concurrency: Int
        public var maxBatch: Int
        /// How long a handler waits for a batch to fill once its first delivery arrived.
        public var linger: Duration

        public init(queue: String, prefetch: UInt16 = 200, concurrency: Int = 1, maxBatch: Int = 100, linger: Duration = .milliseconds(5)) {
            self.queue = queue
            self.prefetch = prefetch
            self.concurrency = max(1, concurrency)
            self.maxBatch = max(1, maxBatch)
            self.linger = linger
        }
    }

    /// Decides every delivery of a batch; must return one outcome per delivery, in order.
    public typealias BatchHandler = @Sendable ([Delivery]) async -> [DeliveryOutcome]

    private let connection: AMQPConnection
    private let configuration: Configuration
    private let handler: BatchHandler
    private let logger: Logger

    public init(connection: AMQPConnection, configuration: Configuration, logger: Logger, handler: @escaping BatchHandler) {
        self.connection = connection
        self.configuration = configuration
        self.handler = handler
        var logger = logger
        logger[metadataKey: "queue"] = "\(configuration.queue)"
        self.logger = logger
    }

    /// One delivery at a time: ack when `handler` returns, requeue when it throws.
    public convenience init(
        connection: AMQPConnection, configuration: Configuration, logger: Logger,
        handler: @escaping @Sendable (Delivery) async throws -> Void
    ) {
        var single = configuration
        single.maxBatch = 1
        single.linger = .zero
        self.init(connection: connection, configuration: single, logger: logger) { deliveries in
            var outcomes: [DeliveryOutcome] = []
            for delivery in deliveries {
                do {
                    try await handler(delivery)
                    outcomes.append(.ack)
                } catch {
                    logger.warning("handler failed; message requeued", metadata: ["error": "\(error)", "queue": "\(configuration.queue)"])
                    outcomes.append(.requeue)
                }
            }
            return outcomes
        }
    }

    public func run() async throws {
        let subscription = connection.subscribe(queue: configuration.queue, prefetch: configuration.prefetch)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Graceful shutdown and cancellation both end the subscription; workers drain what is buffered.
                try? await gracefulShutdown()
                await subscription.cancel()
            }
            for _ in 0..<configuration.concurrency {
                group.addTask { await self.work(subscription) }
            }
        }
        logger.info("consumer stopped")
    }

    private func work(_ subscription: Subscription) async {
        while true {
            let batch = await subscription.next(max: configuration.maxBatch, linger: configuration.linger)
            if batch.isEmpty { return }
            let outcomes = await handler(batch)
            precondition(outcomes.count == batch.count, "a batch handler must decide every delivery")
            subscription.settle(Array(zip(batch, outcomes)))
        }
    }
}

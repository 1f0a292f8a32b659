public import Logging
public import Messaging
public import ServiceLifecycle

/// Moves what the broker parks in a service's `<queue>.dead` queues into `<schema>.dead_letters` (`DeadLetters`),
/// acking each message only after its row committed.
///
/// A failed write is the database's fault (`keep` stores any message), so the keeper holds the batch and tries again
/// until it succeeds, rather than handing it back: a parking queue has no dead-letter exchange of its own, and on
/// RabbitMQ 4, whose quorum queues get a default delivery limit of 20, every return would bring a letter closer to
/// being dropped. Only a shutdown hands a held batch back.
public final class DeadLetterKeeper: Service {
    private let consumers: [MessageConsumer]

    public init(
        deadLetters: DeadLetters, connection: AMQPConnection, queues: [QueueSpec], retryDelay: Duration = .seconds(1),
        maximumRetryDelay: Duration = .seconds(30), logger: Logger
    ) {
        self.consumers = queues.map { queue in
            MessageConsumer(
                connection: connection, configuration: .init(queue: queue.deadLetterQueue, prefetch: 50, maxBatch: 50), logger: logger
            ) { deliveries in
                var delay = retryDelay
                while true {
                    do {
                        try await deadLetters.keep(deliveries, from: queue.name)
                        return deliveries.map { _ in .ack }
                    } catch {
                        if Task.isCancelled || Task.isShuttingDownGracefully { return deliveries.map { _ in .requeue } }
                        logger.warning(
                            "could not keep dead letters; trying again",
                            metadata: ["queue": "\(queue.deadLetterQueue)", "error": "\(error)", "retry_in": "\(delay)"])
                        // A shutdown need not wait out the pause; the batch then goes back (above).
                        let pause = delay
                        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
                        delay = min(delay * 2, maximumRetryDelay)
                    }
                }
            }
        }
    }

    public func run() async throws {
        // A service group ends when one of its services returns: with no queues to watch, wait for the shutdown.
        guard !consumers.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for consumer in consumers { group.addTask { try await consumer.run() } }
            try await group.waitForAll()
        }
    }
}

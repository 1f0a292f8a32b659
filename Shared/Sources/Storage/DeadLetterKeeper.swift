public import Logging
public import Messaging
public import ServiceLifecycle

/// Moves what the broker parks in a service's `<queue>.dead` queues into `<schema>.dead_letters` (`DeadLetters`),
/// acking each message only after its row committed. A parking queue has no delivery limit, so while the database
/// is down the keeper waits between tries instead of spinning on requeues.
public final class DeadLetterKeeper: Service {
    private let deadLetters: DeadLetters
    private let consumers: [MessageConsumer]

    public init(deadLetters: DeadLetters, connection: AMQPConnection, queues: [QueueSpec], retryDelay: Duration = .seconds(1), logger: Logger) {
        self.deadLetters = deadLetters
        self.consumers = queues.map { queue in
            MessageConsumer(
                connection: connection, configuration: .init(queue: queue.deadLetterQueue, prefetch: 50, maxBatch: 50), logger: logger
            ) { deliveries in
                do {
                    try await deadLetters.keep(deliveries, from: queue.name)
                    return deliveries.map { _ in .ack }
                } catch {
                    logger.warning("could not keep dead letters; retrying", metadata: ["queue": "\(queue.deadLetterQueue)", "error": "\(error)"])
                    try? await Task.sleep(for: retryDelay)
                    return deliveries.map { _ in .requeue }
                }
            }
        }
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for consumer in consumers { group.addTask { try await consumer.run() } }
            try await group.waitForAll()
        }
    }
}

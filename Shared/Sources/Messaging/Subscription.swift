/// A consumer on one queue: deliveries arrive in its buffer, and every delivery is settled through it.
public final class Subscription: Sendable {
    let connection: AMQPConnection
    public let queue: String
    let channel: UInt16
    let prefetch: UInt16
    let buffer = DeliveryBuffer()

    init(connection: AMQPConnection, queue: String, channel: UInt16, prefetch: UInt16) {
        self.connection = connection
        self.queue = queue
        self.channel = channel
        self.prefetch = prefetch
    }

    /// Up to `max` deliveries, waiting for the first; empty when the subscription was cancelled and drained.
    public func next(max: Int) async -> [Delivery] { await buffer.next(max: max) }

    /// Up to `max` deliveries: waits for the first, then up to `linger` for the batch to fill, so a busy queue is
    /// handled in full batches (one commit each) while a quiet one still answers within `linger`.
    public func next(max: Int, linger: Duration) async -> [Delivery] {
        var batch = await buffer.next(max: max)
        guard batch.count < max else { return batch }
        guard linger > .zero else { return batch }
        let deadline = ContinuousClock.now + linger
        while batch.count < max, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(1))
            batch += buffer.takeAvailable(max: max - batch.count)
        }
        return batch
    }

    /// Acks (or nacks) many deliveries at once; the I/O thread folds consecutive acks into one `multiple` ack.
    public func settle(_ outcomes: [(Delivery, DeliveryOutcome)]) { connection.settle(outcomes) }

    public func settle(_ delivery: Delivery, _ outcome: DeliveryOutcome) { connection.settle([(delivery, outcome)]) }

    /// Stops new deliveries; those already buffered are still handed out, then `next` returns empty.
    public func cancel() async { await connection.cancel(self) }
}

/// What a passive `queue.declare` tells about a queue.
public struct QueueStatus: Sendable, Hashable {
    /// Ready messages, not counting those delivered and not yet acked.
    public let messages: Int
    public let consumers: Int
}

import Messaging

/// Takes and acks deliveries until `count` arrived or `timeout` passed; a missing delivery fails the test
/// instead of hanging it.
func collect(_ count: Int, from subscription: Subscription, within timeout: Duration) async throws -> [Delivery] {
    try await withThrowingTaskGroup(of: [Delivery]?.self) { group in
        group.addTask {
            var received: [Delivery] = []
            while received.count < count {
                let batch = await subscription.next(max: 1_000)
                if batch.isEmpty { break }
                received += batch
                subscription.settle(batch.map { ($0, .ack) })
            }
            return received
        }
        group.addTask {
            try? await Task.sleep(for: timeout)  // cancelled once the collector is done
            return nil
        }
        var collected: [Delivery]? = nil
        if let first = try await group.next() { collected = first }
        // On timeout the collector still waits in `next`; cancelling the subscription lets it return.
        if collected == nil { await subscription.cancel() }
        group.cancelAll()
        while let rest = try await group.next() { collected = collected ?? rest }
        return collected ?? []
    }
}

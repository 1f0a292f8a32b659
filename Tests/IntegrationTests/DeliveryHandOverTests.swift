import Contracts
import Messaging
import Testing

/// The I/O thread hands deliveries over in chunks of half the prefetch window while the broker streams; a lone
/// delivery on a quiet queue must still reach its handler at once, not when the next poll times out.
@Suite("Delivery hand-over")
struct DeliveryHandOverTests {
    @Test("a lone delivery is handed over within the hold time; a burst arrives whole and is acked")
    func loneDeliveryIsNotHeld() async throws {
        let queue = testQueue("handover")
        let connection = try TestEnvironment.connection("handover", queues: [queue])
        connection.start()
        try await connection.waitUntilConnected(timeout: .seconds(15))
        let subscription = connection.subscribe(queue: queue.name, prefetch: 200)

        let lone = try numberedEnvelopes(0..<1, routingKey: queue.bindings[0])
        try await connection.publish(lone.map(OutgoingMessage.init))
        let confirmed = ContinuousClock.now
        let first = await subscription.next(max: 100)
        // Held for 1 ms at most; a hand-over without its deadline would wait for the I/O thread's 1 s poll.
        #expect(ContinuousClock.now - confirmed < .milliseconds(500))
        #expect(first.map(\.messageID) == [lone[0].header.id.description])
        subscription.settle(first.map { ($0, .ack) })

        let burst = try numberedEnvelopes(1..<1_001, routingKey: queue.bindings[0])
        try await connection.publish(burst.map(OutgoingMessage.init))
        var received: [Delivery] = []
        while received.count < burst.count {
            let batch = await subscription.next(max: 1_000)
            received += batch
            subscription.settle(batch.map { ($0, .ack) })
        }
        #expect(received.count == burst.count)
        #expect(Set(received.compactMap(\.messageID)) == Set(burst.map(\.header.id.description)))
        await subscription.cancel()
        await connection.shutdown()
        // Every ack reached the broker: nothing came back to the queue when the connection closed.
        let observer = try TestEnvironment.connection("handover.observer")
        observer.start()
        try await observer.waitUntilConnected(timeout: .seconds(15))
        #expect(try await observer.status(ofQueue: queue.name)?.messages == 0)
        await observer.shutdown()
    }
}

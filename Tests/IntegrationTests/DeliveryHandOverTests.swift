import Contracts
import Messaging
import Testing

/// The I/O thread hands deliveries over in chunks of half the prefetch window while the broker streams; what is
/// left below half a window (a lone delivery on a quiet queue, the tail of a burst) must still reach its handler
/// within the hold time, not when the I/O thread's next poll times out a second later.
@Suite("Delivery hand-over")
struct DeliveryHandOverTests {
    @Test("a lone delivery is handed over within the hold time; a burst arrives whole, its tail included")
    func deliveriesBelowHalfTheWindowAreNotHeld() async throws {
        let queue = testQueue("handover")
        // Published from another connection: a confirm arriving on the consumer's connection would wake its
        // I/O thread and hand the delivery over even if the hold had no deadline.
        let publisher = try TestEnvironment.connection("handover.publisher", queues: [queue])
        let consumer = try TestEnvironment.connection("handover.consumer", queues: [queue])
        publisher.start()
        consumer.start()
        try await publisher.waitUntilConnected(timeout: .seconds(15))
        try await consumer.waitUntilConnected(timeout: .seconds(15))
        let subscription = consumer.subscribe(queue: queue.name, prefetch: 200)

        let lone = try numberedEnvelopes(0..<1, routingKey: queue.bindings[0])
        try await publisher.publish(lone.map(OutgoingMessage.init))
        let confirmed = ContinuousClock.now
        let first = await subscription.next(max: 100)
        #expect(ContinuousClock.now - confirmed < .milliseconds(500))
        #expect(first.map(\.messageID) == [lone[0].header.id.description])
        subscription.settle(first.map { ($0, .ack) })

        // 1,050 with a window of 200: handed over in hundreds, and a tail of 50 that only the deadline releases.
        let burst = try numberedEnvelopes(1..<1_051, routingKey: queue.bindings[0])
        try await publisher.publish(burst.map(OutgoingMessage.init))
        let received = try await collect(burst.count, from: subscription, within: .seconds(30))
        #expect(received.count == burst.count)
        #expect(Set(received.compactMap(\.messageID)) == Set(burst.map(\.header.id.description)))
        await subscription.cancel()
        await consumer.shutdown()
        await publisher.shutdown()
    }
}

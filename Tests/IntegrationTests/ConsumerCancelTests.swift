import Contracts
import Messaging
import Testing

/// The broker drops a consumer whose queue is deleted (by an operator, or with the node that held it). It says so
/// only to clients that asked for the notice; without it the consumer went quiet on an open connection, the queue and
/// its bindings stayed gone, and every event published for it was confirmed and dropped.
@Suite("Consumer cancel")
struct ConsumerCancelTests {
    @Test("a consumer whose queue is deleted reconnects, declares the queue again and consumes what comes next")
    func deletedQueueComesBack() async throws {
        let queue = testQueue("cancelled")
        let consumer = try TestEnvironment.connection("cancelled.consumer", queues: [queue])
        let subscription = consumer.subscribe(queue: queue.name, prefetch: 10)
        consumer.start()
        try await consumer.waitUntilConnected()
        let probe = try TestEnvironment.connection("cancelled.probe")
        probe.start()
        try await probe.waitUntilConnected()
        try await eventually("the consumer is on its queue") { try await probe.status(ofQueue: queue.name)?.consumers == 1 }

        // Deleted (rabbitmqctl fails otherwise); the consumer may have declared it again before anyone can look.
        try await TestEnvironment.rabbitctl("delete_queue", queue.name)
        try await eventually(timeout: .seconds(20), "the queue is declared again and consumed") {
            try await probe.status(ofQueue: queue.name)?.consumers == 1
        }

        let messages = try numberedEnvelopes(0..<3, routingKey: queue.bindings[0]).map(OutgoingMessage.init)
        try await probe.send(messages).wait()
        let received = try await collect(3, from: subscription, within: .seconds(15))
        #expect(received.compactMap(\.messageID).sorted() == messages.map(\.messageID).sorted())
        await probe.shutdown()
        await consumer.shutdown()
    }

    @Test("deliveries on the wire when a subscription is cancelled go back to the queue at once, not when the connection closes")
    func cancelledMidStream() async throws {
        let queue = testQueue("midstream")
        let consumer = try TestEnvironment.connection("midstream.consumer", queues: [queue])
        consumer.start()
        try await consumer.waitUntilConnected()
        let probe = try TestEnvironment.connection("midstream.probe")
        probe.start()
        try await probe.waitUntilConnected()
        let total = 20_000
        try await probe.send(try numberedEnvelopes(0..<total, routingKey: queue.bindings[0]).map(OutgoingMessage.init)).wait()
        var acked = 0
        for round in 0..<5 {
            let subscription = consumer.subscribe(queue: queue.name, prefetch: 500)
            // Acked as fast as they come, and cancelled just after an ack went out: the broker is refilling the
            // window while the cancel is on its way.
            var taken = 0
            while taken < 1_000 {
                let batch = await subscription.next(max: 250)
                subscription.settle(batch.map { ($0, .ack) })
                taken += batch.count
            }
            acked += taken
            try await Task.sleep(for: .milliseconds(round * 2))
            await subscription.cancel()
            // What was handed over before the cancel is handed back by its holder, as a handler stopping would.
            while true {
                let rest = await subscription.next(max: 500)
                if rest.isEmpty { break }
                subscription.settle(rest.map { ($0, .requeue) })
            }
        }
        let expected = total - acked
        try await eventually(timeout: .seconds(10), "every unacked delivery back on the queue while the connection stays open") {
            try await probe.status(ofQueue: queue.name)?.messages == expected
        }
        await probe.shutdown()
        await consumer.shutdown()
    }
}

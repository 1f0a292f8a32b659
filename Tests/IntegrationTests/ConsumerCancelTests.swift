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
}

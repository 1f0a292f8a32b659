import Contracts
import Foundation
import Messaging
import Testing

/// Message properties the broker limits: a value too long for its AMQP field must not cost the connection.
@Suite("Publish properties")
struct PublishPropertiesTests {
    @Test("a correlation id longer than AMQP's 255 bytes is cut (at a character), and the message is confirmed and delivered")
    func longCorrelationID() async throws {
        let queue = testQueue("longprops")
        let connection = try TestEnvironment.connection("longprops", queues: [queue])
        try await running([connection]) {
            try await connection.waitUntilConnected()
            let long = String(repeating: "é", count: 200)  // 400 bytes
            let message = OutgoingMessage(
                routingKey: queue.bindings[0], messageID: UUID().uuidString, type: "it.numbered", correlationID: long, timestamp: 0,
                body: Array("{}".utf8))
            #expect(message.correlationID?.utf8.count == 254)
            try await connection.publish([message])
            let subscription = connection.subscribe(queue: queue.name)
            var received: [Delivery] = []
            while received.isEmpty { received += await subscription.next(max: 10) }
            subscription.settle(received.map { ($0, .ack) })
            await subscription.cancel()
            #expect(received.map(\.messageID) == [message.messageID])
        }
    }
}

import Contracts
import Foundation
import Messaging
import Testing

/// amqps:// through rabbitmq-c's SSL socket, against the broker's TLS listener and the project-local CA.
@Suite("AMQP over TLS")
struct TLSTests {
    static var url: String { ProcessInfo.processInfo.environment["MYOP_TEST_AMQPS_URL"] ?? "amqps://guest:guest@localhost:56723" }
    static var caPath: String {
        ProcessInfo.processInfo.environment["MYOP_TEST_AMQP_CA"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.local/rabbitmq/tls/ca.pem").standardized.path
    }

    @Test("publishes with confirms and consumes over a verified TLS connection")
    func roundTrip() async throws {
        let url = try #require(AMQPURL(Self.url))
        #expect(url.tls)
        let queue = testQueue("tls")
        let connection = AMQPConnection(
            configuration: AMQPConfiguration(url: url, connectionName: "it.tls", tlsCACertificatePath: Self.caPath),
            topology: Topology(queues: [queue]), logger: TestEnvironment.logger)
        connection.start()
        try await connection.waitUntilConnected(timeout: .seconds(15))
        let envelopes = try numberedEnvelopes(0..<50, routingKey: queue.bindings[0])
        try await connection.publish(envelopes.map(OutgoingMessage.init))
        let subscription = connection.subscribe(queue: queue.name)
        var received: [Delivery] = []
        while received.count < envelopes.count { received += await subscription.next(max: 100) }
        subscription.settle(received.map { ($0, .ack) })
        #expect(Set(received.compactMap(\.messageID)) == Set(envelopes.map(\.header.id.description)))
        #expect(received.map(\.body) == envelopes.map(\.body))
        await connection.shutdown()
    }

    @Test("refuses a broker whose certificate it cannot verify")
    func refusesUnverifiedBroker() async throws {
        let url = try #require(AMQPURL(Self.url))
        // No CA given: the project-local CA is in no trust store, so verification must fail.
        let connection = AMQPConnection(
            configuration: AMQPConfiguration(url: url, connectionName: "it.tls.untrusted"), logger: TestEnvironment.logger)
        connection.start()
        try await Task.sleep(for: .seconds(2))
        #expect(!connection.isConnected)
        await connection.shutdown()
    }
}

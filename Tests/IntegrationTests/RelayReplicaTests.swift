import Contracts
import Foundation
import Messaging
import Storage
import Testing

@Suite("Outbox relay replicas")
struct RelayReplicaTests {
    @Test("two relays on one outbox publish every row once between them (FOR UPDATE SKIP LOCKED)")
    func twoRelaysNeverDoublePublish() async throws {
        try await withPostgres { client in
            let producer = try await makeSchema(client, prefix: "it_replicas")
            let queue = testQueue("replicas")
            let envelopes = try numberedEnvelopes(0..<5_000, routingKey: queue.bindings[0])
            try await producer.enqueue(envelopes, chunk: 500)
            let first = try TestEnvironment.connection("replica.a", queues: [queue])
            let second = try TestEnvironment.connection("replica.b", queues: [queue])
            let small = OutboxRelay.Configuration(batchSize: 100)  // many small batches, so the two really interleave
            let relays = [
                OutboxRelay(database: producer, publisher: first, configuration: small, logger: TestEnvironment.logger),
                OutboxRelay(database: producer, publisher: second, configuration: small, logger: TestEnvironment.logger),
            ]
            let seen = MessageIDs()
            let consumerConnection = try TestEnvironment.connection("replica.consumer", queues: [queue])
            let consumer = MessageConsumer(connection: consumerConnection, configuration: .init(queue: queue.name), logger: TestEnvironment.logger) {
                deliveries in
                await seen.add(deliveries.compactMap(\.messageID))
                return deliveries.map { _ in .ack }
            }
            try await running([first, second, consumerConnection] + relays + [consumer]) {
                try await eventually("every row delivered") { await seen.total >= envelopes.count }
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(await seen.total == envelopes.count)
            #expect(await seen.distinct == envelopes.count)
            #expect(try await producer.count("SELECT count(*) FROM SCHEMA.outbox") == 0)  // published rows are deleted
        }
    }

    @Test("a relay cancelled rather than shut down still removes its waiting mark, so the outbox trigger stops notifying")
    func cancelledRelayRemovesItsWaitingMark() async throws {
        try await withPostgres { client in
            let database = try await makeSchema(client, prefix: "it_goodbye")
            // Never started: an empty outbox gives the relay nothing to publish.
            let publisher = try TestEnvironment.connection("goodbye", queues: [])
            let relay = OutboxRelay(database: database, publisher: publisher, logger: TestEnvironment.logger)
            let running = Task { try await relay.run() }
            try await eventually("the idle relay marks itself waiting") {
                try await database.count("SELECT count(*) FROM SCHEMA.outbox_waiters WHERE waiting") == 1
            }
            running.cancel()
            _ = try? await running.value
            #expect(try await database.count("SELECT count(*) FROM SCHEMA.outbox_waiters") == 0)
        }
    }
}

actor MessageIDs {
    private var ids: Set<String> = []
    private(set) var total = 0

    var distinct: Int { ids.count }

    func add(_ new: [String]) {
        total += new.count
        ids.formUnion(new)
    }
}

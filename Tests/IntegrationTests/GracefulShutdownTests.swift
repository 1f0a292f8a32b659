import Contracts
import Foundation
import Messaging
import PostgresNIO
import ServiceLifecycle
import Storage
import Testing

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test("on shutdown a consumer stops taking deliveries, finishes its handlers, acks them, and leaves the rest queued")
    func finishesInFlightWorkAndAcks() async throws {
        try await withPostgres { client in
            let effects = try await Effects.make(client, prefix: "it_shutdown")
            let consumer = effects.database
            let queue = testQueue("shutdown")
            let envelopes = try numberedEnvelopes(0..<500, routingKey: queue.bindings[0])
            let connection = try TestEnvironment.connection("shutdown", queues: [queue])
            let started = Tally()
            let inboxConsumer = InboxConsumer(
                name: "effects", database: consumer, connection: connection,
                configuration: .init(queue: queue.name, prefetch: 20, concurrency: 2, maxBatch: 10), logger: TestEnvironment.logger
            ) { (batch: InboxBatch) in
                await started.add(deliveries: batch.envelopes.count, redelivered: 0, applied: 0)
                try await Task.sleep(for: .milliseconds(200))  // slow enough that shutdown lands mid-batch
                try await effects.record(batch)
            }
            let serviceGroup = ServiceGroup(configuration: .init(services: [connection, inboxConsumer], logger: TestEnvironment.logger))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await serviceGroup.run() }
                try await connection.waitUntilConnected()
                try await connection.publish(envelopes.map(OutgoingMessage.init))
                try await eventually("first batches started") { await started.deliveries > 0 }
                await serviceGroup.triggerGracefulShutdown()
                try await group.waitForAll()
            }
            // Everything a handler started was committed and acked: what is left in the queue is exactly what no
            // handler touched (buffered deliveries were handed out and finished before the consumer returned).
            let applied = try await consumer.count("SELECT count(*) FROM SCHEMA.effects")
            #expect(applied > 0)
            #expect(applied < envelopes.count)
            #expect(applied == (await started.deliveries))
            let probe = try TestEnvironment.connection("shutdown.probe", queues: [queue])
            probe.start()
            try await probe.waitUntilConnected()
            try await eventually("unacked deliveries returned") { try await probe.status(ofQueue: queue.name)?.messages == envelopes.count - applied }
            await probe.shutdown()
        }
    }

    @Test("on shutdown a relay with a long backlog finishes the batches it sent and claims no more; what it deleted was confirmed")
    func relayStopsWithABacklog() async throws {
        try await withPostgres { client in
            let database = try await makeSchema(client, prefix: "it_relay_stop")
            let queue = testQueue("relay_stop")
            let envelopes = try numberedEnvelopes(0..<20_000, routingKey: queue.bindings[0])
            try await database.enqueue(envelopes, chunk: 1_000)
            let publisher = try TestEnvironment.connection("relay_stop", queues: [queue])
            let relay = OutboxRelay(
                database: database, publisher: publisher, configuration: .init(batchSize: 100), logger: TestEnvironment.logger)
            let serviceGroup = ServiceGroup(configuration: .init(services: [publisher, relay], logger: TestEnvironment.logger))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await serviceGroup.run() }
                try await eventually("the relay started publishing") {
                    try await database.count("SELECT count(*) FROM SCHEMA.outbox") < envelopes.count
                }
                await serviceGroup.triggerGracefulShutdown()
                try await group.waitForAll()
            }
            // The rest stays for another replica or the next start, rather than holding up this one's stop.
            let pending = try await database.count("SELECT count(*) FROM SCHEMA.outbox")
            #expect(pending > 0)
            // Every row the relay deleted was confirmed by the broker: the queue holds exactly those.
            let probe = try TestEnvironment.connection("relay_stop.probe", queues: [queue])
            probe.start()
            try await probe.waitUntilConnected()
            #expect(try await probe.status(ofQueue: queue.name)?.messages == envelopes.count - pending)
            await probe.shutdown()
        }
    }
}

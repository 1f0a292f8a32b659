import Contracts
import Messaging
import PostgresNIO
import Storage
import Testing

/// While its database does not answer, an inbox consumer holds its batch: requeued, every message would come straight
/// back and reach the queue's delivery limit within seconds, so one outage would dead-letter the whole backlog.
@Suite("Inbox during a database outage")
struct InboxOutageTests {
    @Test("a consumer whose database is down holds its batch instead of requeueing it into the dead letters; once it answers, all apply once")
    func outageHoldsTheBatch() async throws {
        try await withPostgres { client in
            let effects = try await Effects.make(client, prefix: "it_outage")
            let queue = testQueue("outage", deliveryLimit: 3)
            let envelopes = try numberedEnvelopes(0..<20, routingKey: queue.bindings[0])
            // A pool that has shut down fails every request at once, as postgres-nio's does after a minute of failed
            // connection attempts: the worst case of an outage.
            let downClient = PostgresClient(
                configuration: try TestEnvironment.databaseURL().clientConfiguration(maximumConnections: 2), backgroundLogger: TestEnvironment.logger)
            let downRun = Task { await downClient.run() }
            try await Task.sleep(for: .milliseconds(100))
            downRun.cancel()
            await downRun.value
            let down = Database(client: downClient, schema: effects.database.schema, logger: TestEnvironment.logger)

            let connection = try TestEnvironment.connection("outage", queues: [queue])
            let holding = InboxConsumer(
                name: "effects", database: down, connection: connection, configuration: .init(queue: queue.name), logger: TestEnvironment.logger,
                batchHandler: effects.record(_:) as InboxConsumer.BatchHandler)
            try await running([connection, holding]) {
                try await connection.waitUntilConnected()
                try await connection.publish(envelopes.map(OutgoingMessage.init))
                try await eventually("the consumer took the batch") {
                    try await connection.status(ofQueue: queue.name)?.messages == 0
                }
                // Long enough for many rounds of requeue and redelivery, had the batch been requeued.
                try await Task.sleep(for: .seconds(3))
                #expect(try await connection.status(ofQueue: queue.deadLetterQueue)?.messages == 0)
            }
            // Stopped while holding: the batch went back to the queue once, not to the dead letters.
            let observer = try TestEnvironment.connection("outage.observer", queues: [queue])
            let survivor = InboxConsumer(
                name: "effects", database: effects.database, connection: observer, configuration: .init(queue: queue.name),
                logger: TestEnvironment.logger, batchHandler: effects.record(_:) as InboxConsumer.BatchHandler)
            try await running([observer, survivor]) {
                try await observer.waitUntilConnected()
                try await eventually("all applied once the database answers") { try await effects.count() == 20 }
                #expect(try await observer.status(ofQueue: queue.deadLetterQueue)?.messages == 0)
            }
            #expect(try await effects.count() == 20)
            #expect(try await effects.count("SELECT count(DISTINCT event_id) FROM SCHEMA.effects") == 20)
        }
    }

    @Test("a database that answers but refuses writes (read-only, SQLSTATE 25006) is an outage too: the batch is held, then applied once")
    func readOnlyDatabaseHoldsTheBatch() async throws {
        try await withPostgres { client in
            let effects = try await Effects.make(client, prefix: "it_readonly")
            let queue = testQueue("readonly", deliveryLimit: 3)
            let envelopes = try numberedEnvelopes(0..<20, routingKey: queue.bindings[0])
            // Read-only for the first two seconds, as a server is after a failover until the new primary takes over.
            let writableFrom = ContinuousClock.now + .seconds(2)
            let connection = try TestEnvironment.connection("readonly", queues: [queue])
            let consumer = InboxConsumer(
                name: "effects", database: effects.database, connection: connection, configuration: .init(queue: queue.name),
                logger: TestEnvironment.logger
            ) { (batch: InboxBatch) in
                if ContinuousClock.now < writableFrom { try await batch.transaction.query("SET TRANSACTION READ ONLY") }
                try await effects.record(batch)
            }
            try await running([connection, consumer]) {
                try await connection.waitUntilConnected()
                try await connection.publish(envelopes.map(OutgoingMessage.init))
                try await eventually("all applied once writes are accepted") { try await effects.count() == 20 }
                #expect(try await connection.status(ofQueue: queue.deadLetterQueue)?.messages == 0)
            }
            #expect(try await effects.count("SELECT count(DISTINCT event_id) FROM SCHEMA.effects") == 20)
        }
    }
}


import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceLifecycle
import Storage
import Testing

/// The core guarantee: transport is at-least-once, effects are exactly-once (ARCHITECTURE.md).
@Suite("Outbox to inbox, exactly once", .serialized)
struct ExactlyOnceTests {
    @Test("10,000 events through one service's outbox are applied exactly once by another's inbox, duplicates included")
    func tenThousandExactlyOnce() async throws {
        try await exactlyOnce(count: 10_000, restartBrokerAfter: nil)
    }

    @Test("a consumer whose connection dies before acking gets the messages again; the effect still happens once")
    func redeliveryAfterLostConnection() async throws {
        try await withPostgres { client in
            let effects = try await Effects.make(client, prefix: "it_redeliver")
            let consumer = effects.database
            let queue = testQueue("redeliver")
            let envelopes = try numberedEnvelopes(0..<200, routingKey: queue.bindings[0])
            let inbox = Inbox(database: consumer, consumer: "effects")
            let apply: @Sendable (InboxContext) async throws -> Void = effects.record(_:)

            // The first consumer commits every effect, then its connection closes before any ack went out.
            let dying = try TestEnvironment.connection("dying", queues: [queue])
            dying.start()
            try await dying.waitUntilConnected()
            try await dying.publish(envelopes.map(OutgoingMessage.init))
            let subscription = dying.subscribe(queue: queue.name, prefetch: 500)
            var firstApplied = 0
            var firstReceived = 0
            while firstReceived < envelopes.count {
                let batch = await subscription.next(max: 500)
                firstReceived += batch.count
                firstApplied += try await inbox.handle(try batch.map { try EncodedEnvelope(body: $0.body) }, handler: apply)
            }
            await dying.shutdown()
            #expect(firstApplied == 200)

            // The broker hands every one of them to the next consumer, which finds them all in its inbox.
            let tally = Tally()
            let survivorConnection = try TestEnvironment.connection("survivor", queues: [queue])
            let survivor = MessageConsumer(connection: survivorConnection, configuration: .init(queue: queue.name), logger: TestEnvironment.logger) {
                deliveries in
                let applied = (try? await inbox.handle(deliveries.map { try EncodedEnvelope(body: $0.body) }, handler: apply)) ?? -1_000
                await tally.add(deliveries: deliveries.count, redelivered: deliveries.filter(\.redelivered).count, applied: applied)
                return deliveries.map { _ in .ack }
            }
            try await running([survivorConnection, survivor]) {
                try await eventually("redeliveries") { await tally.deliveries >= envelopes.count }
            }
            #expect(await tally.deliveries == 200)
            #expect(await tally.redelivered == 200)
            #expect(await tally.applied == 0)
            #expect(try await consumer.count("SELECT count(*) FROM SCHEMA.effects") == 200)
        }
    }

    @Test("a message whose handler always fails ends in <queue>.dead after the delivery limit, one it cannot decode at once; the others flow")
    func poisonMessageIsDeadLettered() async throws {
        try await withPostgres { client in
            let effects = try await Effects.make(client, prefix: "it_poison")
            let consumer = effects.database
            let queue = testQueue("poison", deliveryLimit: 3)
            var poisonEnvelope = Envelope(companyID: CompanyID(), data: Numbered(sequence: 1_000, poison: true))
            poisonEnvelope.type = EventType(rawValue: queue.bindings[0])
            let poison = try EncodedEnvelope(poisonEnvelope)
            var numbered = try numberedEnvelopes(0..<100, routingKey: queue.bindings[0])
            numbered.insert(poison, at: 50)
            let envelopes = numbered
            let notAnEnvelope = OutgoingMessage(routingKey: queue.bindings[0], messageID: "garbage", type: "x", timestamp: 0, body: Array("{".utf8))
            // A sound header around a payload the handler cannot read: it never will, so it is dead-lettered at once.
            let unreadableID = EventID()
            let unreadable = OutgoingMessage(
                routingKey: queue.bindings[0], messageID: "unreadable", type: "x", timestamp: 0,
                body: Array(#"{"id":"\#(unreadableID)","type":"\#(queue.bindings[0])","version":1,"company_id":"\#(CompanyID())","occurred_at":"2026-11-29T10:00:00.000Z","data":{"sequence":"not a number"}}"#.utf8))
            let unreadableAttempts = Tally()

            let connection = try TestEnvironment.connection("poison", queues: [queue])
            let attempts = Tally()
            let inboxConsumer = InboxConsumer(
                name: "effects", database: consumer, connection: connection, configuration: .init(queue: queue.name, maxBatch: 20),
                logger: TestEnvironment.logger
            ) { context in
                let event: Envelope<Numbered>
                do {
                    event = try context.decode(Numbered.self)
                } catch {
                    await unreadableAttempts.add(deliveries: 1, redelivered: 0, applied: 0)
                    throw error
                }
                if event.data.poison {
                    await attempts.add(deliveries: 1, redelivered: 0, applied: 0)
                    throw PoisonError()
                }
                try await effects.record(context)
            }
            try await running([connection, inboxConsumer]) {
                try await connection.waitUntilConnected()
                try await connection.publish(envelopes.map(OutgoingMessage.init) + [notAnEnvelope, unreadable])
                try await eventually("good messages applied") { try await consumer.count("SELECT count(*) FROM SCHEMA.effects") == 100 }
                try await eventually("poison, garbage and the unreadable payload dead-lettered") {
                    try await connection.status(ofQueue: queue.deadLetterQueue)?.messages == 3
                }
                let dead = connection.subscribe(queue: queue.deadLetterQueue)
                var parked: [Delivery] = []
                while parked.count < 3 { parked += await dead.next(max: 10) }
                dead.settle(parked.map { ($0, .ack) })
                #expect(Set(parked.compactMap(\.messageID)) == [poison.header.id.description, "garbage", "unreadable"])
                // Once in its batch and once alone, then rejected: never handed out again (requeued, it would be
                // tried up to the delivery limit).
                #expect(await unreadableAttempts.deliveries <= 2)
                try await eventually("main queue empty") { try await connection.status(ofQueue: queue.name)?.messages == 0 }
            }
            #expect(try await consumer.count("SELECT count(*) FROM SCHEMA.effects") == 100)
            #expect(try await consumer.count("SELECT count(*) FROM SCHEMA.inbox") == 100)
            // Tried once in its batch's retry pass and once more per redelivery, up to the limit; never applied.
            #expect(await attempts.deliveries >= 3)
        }
    }
}

struct PoisonError: Error {}

actor Tally {
    private(set) var deliveries = 0
    private(set) var redelivered = 0
    private(set) var applied = 0

    func add(deliveries: Int, redelivered: Int, applied: Int) {
        self.deliveries += deliveries
        self.redelivered += redelivered
        self.applied += applied
    }
}

/// Outbox → broker → inbox for `count` events, each also published a second time straight to the broker; with
/// `restartBrokerAfter`, the broker is stopped and started once that many effects were applied.
func exactlyOnce(count: Int, restartBrokerAfter: Int?) async throws {
    try await withPostgres { client in
        let producer = try await makeSchema(client, prefix: "it_producer")
        let effects = try await Effects.make(client, prefix: "it_consumer")
        let consumer = effects.database
        let queue = testQueue("eo")
        let publisher = try TestEnvironment.connection("producer.publisher", queues: [queue])
        let consumerConnection = try TestEnvironment.connection("consumer.consumer", queues: [queue])
        let relay = OutboxRelay(database: producer, publisher: publisher, logger: TestEnvironment.logger)
        let configuration = MessageConsumer.Configuration(queue: queue.name)
        // The plain run applies one event at a time; the restart run applies each batch with one statement.
        let inboxConsumer =
            restartBrokerAfter == nil
            ? InboxConsumer(
                name: "effects", database: consumer, connection: consumerConnection, configuration: configuration, logger: TestEnvironment.logger,
                handler: effects.record(_:) as InboxConsumer.Handler)
            : InboxConsumer(
                name: "effects", database: consumer, connection: consumerConnection, configuration: configuration, logger: TestEnvironment.logger,
                batchHandler: effects.record(_:) as InboxConsumer.BatchHandler)
        let envelopes = try numberedEnvelopes(0..<count, routingKey: queue.bindings[0])

        try await running([publisher, consumerConnection, relay, inboxConsumer]) {
            try await publisher.waitUntilConnected()
            try await producer.enqueue(envelopes, chunk: 500)
            // Every envelope a second time, straight to the broker, racing the relay.
            async let duplicates: Void = publisher.publishUntilConfirmed(envelopes)
            if let threshold = restartBrokerAfter {
                try await eventually("\(threshold) effects before the restart") { try await consumer.count("SELECT count(*) FROM SCHEMA.effects") >= threshold }
                try await TestEnvironment.rabbit("stop")
                #expect(!publisher.isConnected)
                try await TestEnvironment.rabbit("start")
            }
            try await duplicates
            try await eventually(timeout: .seconds(120), "all effects applied") {
                try await consumer.count("SELECT count(*) FROM SCHEMA.effects") >= count
            }
            try await eventually("outbox fully published") { try await producer.count("SELECT count(*) FROM SCHEMA.outbox") == 0 }
            try await eventually("queue drained") { try await publisher.status(ofQueue: queue.name)?.messages == 0 }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(try await consumer.count("SELECT count(*) FROM SCHEMA.effects") == count)
        #expect(try await consumer.count("SELECT count(DISTINCT event_id) FROM SCHEMA.effects") == count)
        #expect(try await consumer.count("SELECT count(DISTINCT sequence) FROM SCHEMA.effects") == count)
        #expect(try await consumer.count("SELECT count(*) FROM SCHEMA.inbox WHERE consumer = 'effects'") == count)
        #expect(try await producer.count("SELECT count(*) FROM SCHEMA.outbox") == 0)  // each published row deleted
    }
}

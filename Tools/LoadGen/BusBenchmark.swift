import CallRouter
import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import Storage

/// `loadgen bus`: the broker through our Messaging layer against rabbitmq-c called directly, and the whole
/// outbox → broker → inbox path, in one run on one machine.
struct BusBenchmark {
    let options: Options

    func run() async throws {
        let messages = options.int("messages", default: 100_000)
        let events = options.int("events", default: 100_000)
        let size = options.int("size", default: 300)
        guard let amqpURL = AMQPURL(options.amqpURL), let rawURL = URL(string: options.amqpURL),
            let databaseURL = DatabaseURL(options.databaseURL)
        else { throw RawRabbit.Failure(description: "bad --amqp or --database URL") }
        var logger = Logger(label: "loadgen")
        logger.logLevel = .warning
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        let run = UUID().uuidString.prefix(8).lowercased()
        print("loadgen bus: \(messages) messages of \(size) bytes, \(events) events; broker \(amqpURL), database \(databaseURL)")

        // 1. rabbitmq-c directly, on a thread of its own.
        let rawQueue = "loadgen.raw.\(run)"
        // Each phase also reports the CPU each process spent on it per message: where the two cores went.
        let (rawPublish, rawPublishCost) = try await costed(messages) {
            try await onThread { try RawRabbit.publish(rawURL, queue: rawQueue, count: messages, body: body) }
        }
        let (rawConsume, rawConsumeCost) = try await costed(messages) {
            try await onThread { try RawRabbit.consume(rawURL, queue: rawQueue, count: messages) }
        }
        // The outbox path publishes through the events exchange; the broker's routing is part of its cost. A topic
        // exchange, which the events exchange was before run 17, for comparison.
        let eventsExchange = RawRabbit.Exchange(name: Topology.eventsExchange, type: Topology.eventsExchangeType)
        let eventsQueue = "loadgen.raw.events.\(run)"
        let (rawEventsPublish, rawEventsPublishCost) = try await costed(messages) {
            try await onThread { try RawRabbit.publish(rawURL, queue: eventsQueue, count: messages, body: body, through: eventsExchange) }
        }
        _ = try await onThread { try RawRabbit.consume(rawURL, queue: eventsQueue, count: messages) }
        let topic = RawRabbit.Exchange(name: "loadgen.topic", type: "topic")
        let topicQueue = "loadgen.raw.topic.\(run)"
        let (rawTopicPublish, rawTopicPublishCost) = try await costed(messages) {
            try await onThread { try RawRabbit.publish(rawURL, queue: topicQueue, count: messages, body: body, through: topic) }
        }
        _ = try await onThread { try RawRabbit.consume(rawURL, queue: topicQueue, count: messages) }
        // Publishing and consuming at once: what the outbox → inbox path asks of one quorum queue. Through the
        // default exchange, and through the events exchange as the path publishes: the broker's ceiling for the path's work.
        let (rawBoth, rawBothCost) = try await costed(messages) {
            try await Self.rawPublishAndConsume(rawURL, queue: "loadgen.raw.both.\(run)", messages: messages, body: body)
        }
        let (rawEventsBoth, rawEventsBothCost) = try await costed(messages) {
            try await Self.rawPublishAndConsume(rawURL, queue: "loadgen.raw.eventsboth.\(run)", messages: messages, body: body, through: eventsExchange)
        }
        let rawPublishRate = Double(messages) / rawPublish
        let rawConsumeRate = Double(messages) / rawConsume
        let rawBothRate = Double(messages) / rawBoth
        let rawEventsBothRate = Double(messages) / rawEventsBoth
        let rawEventsRate = Double(messages) / rawEventsPublish
        report("raw rabbitmq-c publish (confirms)", count: messages, seconds: rawPublish, cpu: rawPublishCost)
        report("raw rabbitmq-c publish via \(eventsExchange.name)", count: messages, seconds: rawEventsPublish, cpu: rawEventsPublishCost)
        report("raw rabbitmq-c publish via a topic exchange", count: messages, seconds: rawTopicPublish, cpu: rawTopicPublishCost)
        report("raw rabbitmq-c consume (ack multiple)", count: messages, seconds: rawConsume, cpu: rawConsumeCost)
        report("raw rabbitmq-c publish and consume at once", count: messages, seconds: rawBoth, cpu: rawBothCost)
        report("raw … via \(eventsExchange.name), consume at once", count: messages, seconds: rawEventsBoth, cpu: rawEventsBothCost)

        // 2. The same through AMQPConnection: command queue, I/O thread, continuations, ack folding.
        let queue = QueueSpec(name: "loadgen.messaging.\(run)", bindings: [], expiresAfter: RawRabbit.scratchLifetime)
        let connection = AMQPConnection(
            configuration: AMQPConfiguration(url: amqpURL, connectionName: "loadgen.messaging"), topology: Topology(queues: [queue]), logger: logger)
        connection.start()
        try await connection.waitUntilConnected()
        // Consumed on a connection of its own, as every service consumes (ServiceHost: one publisher connection, one
        // consumer connection) and as the raw loop does: RabbitMQ's flow control throttles a connection that has just
        // published hard, and shared, it slowed whichever consume came right after a refill.
        let consumerConnection = AMQPConnection(
            configuration: AMQPConfiguration(url: amqpURL, connectionName: "loadgen.messaging.consumer"), topology: Topology(queues: [queue]),
            logger: logger)
        consumerConnection.start()
        try await consumerConnection.waitUntilConnected()
        let outgoing = (0..<messages).map { index in
            OutgoingMessage(routingKey: queue.name, messageID: "m-\(index)", type: "loadgen.message", timestamp: 0, body: body, exchange: "")
        }
        let (messagingPublish, messagingPublishCost) = try await costed(messages) {
            let start = ContinuousClock.now
            try await Self.publish(outgoing, on: connection)
            return (ContinuousClock.now - start).seconds
        }
        let (messagingConsume, messagingConsumeCost) = await costed(messages) {
            await Self.consume(messages, from: queue.name, on: consumerConnection)
        }
        report("Messaging publish (confirms)", count: messages, seconds: messagingPublish, baseline: rawPublishRate, cpu: messagingPublishCost)
        report("Messaging consume (ack folding)", count: messages, seconds: messagingConsume, baseline: rawConsumeRate, cpu: messagingConsumeCost)

        // The consume ratio moves with the broker's CPU per message, which varies by half between runs here: more
        // rounds of the two consumers back to back (each queue refilled untimed) give a steadier figure. Whichever
        // drains first does worse (BENCHMARKS.md, run 15), so the first alternates, and the first phase above, where
        // the raw loop drains long before ours, stays out of the median.
        func refillRaw() async throws { _ = try await onThread { try RawRabbit.publish(rawURL, queue: rawQueue, count: messages, body: body) } }
        func refillOurs() async throws { try await Self.publish(outgoing, on: connection) }
        func consumeRaw() async throws -> (Double, [(String, Double)]) {
            try await costed(messages) { try await onThread { try RawRabbit.consume(rawURL, queue: rawQueue, count: messages) } }
        }
        func consumeOurs() async -> (Double, [(String, Double)]) {
            await costed(messages) { await Self.consume(messages, from: queue.name, on: consumerConnection) }
        }
        var ratios: [Double] = []
        for round in 1...max(1, options.int("consume-rounds", default: 4)) {
            let oursFirst = round % 2 == 1
            let (raw, rawCost): (Double, [(String, Double)])
            let (ours, ourCost): (Double, [(String, Double)])
            if oursFirst {
                try await refillOurs()
                try await refillRaw()
                (ours, ourCost) = await consumeOurs()
                (raw, rawCost) = try await consumeRaw()
            } else {
                try await refillRaw()
                try await refillOurs()
                (raw, rawCost) = try await consumeRaw()
                (ours, ourCost) = await consumeOurs()
            }
            let order = oursFirst ? " (ours first)" : ""
            report("raw rabbitmq-c consume, round \(round)\(order)", count: messages, seconds: raw, cpu: rawCost)
            report("Messaging consume, round \(round)\(order)", count: messages, seconds: ours, baseline: Double(messages) / raw, cpu: ourCost)
            ratios.append(raw / ours)
        }
        await connection.shutdown()
        await consumerConnection.shutdown()
        let sorted = ratios.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        print(
            "Messaging consume ÷ raw, round by round: " + ratios.map { String(format: "%.2f", $0) }.joined(separator: ", ")
                + String(format: "; median %.2f", median))

        // 3. Outbox → relay → broker → inbox consumer → effect row, two commits per batch: first each half
        // alone (relay into a queue nobody consumes, then the inbox draining it), then both at once.
        let client = PostgresClient(configuration: databaseURL.clientConfiguration(maximumConnections: 20), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let tuning = Path.Tuning(
                prefetch: UInt16(options.int("prefetch", default: 200)), batch: options.int("batch", default: 100),
                concurrency: options.int("concurrency", default: 1), relayInFlight: options.int("relay-in-flight", default: 4),
                relayBatch: options.int("relay-batch", default: 1_000))
            print("consumer prefetch \(tuning.prefetch), batch \(tuning.batch), concurrency \(tuning.concurrency); relay \(tuning.relayInFlight) batches of \(tuning.relayBatch) in flight")
            let staged = try await Path(client: client, amqpURL: amqpURL, run: "\(run)a", events: events, size: size, tuning: tuning, logger: logger)
            report("outbox write (1,000 events per transaction)", count: events, seconds: staged.outboxWrite)
            let relayAlone = try await staged.measure(relay: true, inbox: false)
            report("relay alone: outbox → broker", count: events, seconds: relayAlone.seconds, baseline: rawPublishRate, cpu: relayAlone.cpu)
            let inboxAlone = try await staged.measure(relay: false, inbox: true)
            report("inbox alone: broker → inbox → effect", count: events, seconds: inboxAlone.seconds, baseline: rawPublishRate, cpu: inboxAlone.cpu)
            try await staged.drop()
            let live = try await Path(client: client, amqpURL: amqpURL, run: "\(run)b", events: events, size: size, tuning: tuning, logger: logger)
            let both = try await live.measure(relay: true, inbox: true)
            report("outbox → relay → broker → inbox → effect", count: events, seconds: both.seconds, baseline: rawPublishRate, cpu: both.cpu)
            print(String(format: "  = %.2f × raw publish via the events exchange", (Double(events) / both.seconds) / rawEventsRate))
            print(String(format: "  = %.2f × raw publish and consume at once", (Double(events) / both.seconds) / rawBothRate))
            print(String(format: "  = %.2f × raw publish via the events exchange and consume at once", (Double(events) / both.seconds) / rawEventsBothRate))
            let effects = try await live.effects()
            print("effects applied: \(effects.rows) rows for \(effects.distinct) distinct events of \(events)\(effects.rows == events && effects.distinct == events ? ", each exactly once" : "")")
            try await live.drop()
        }
    }

    /// Publishes `outgoing` from 8 concurrent tasks, 1,000 messages per call, each call returning when its confirms are in.
    private static func publish(_ outgoing: [OutgoingMessage], on connection: AMQPConnection) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            let chunks = stride(from: 0, to: outgoing.count, by: 1_000).map { Array(outgoing[$0..<min($0 + 1_000, outgoing.count)]) }
            let lanes = 8
            for lane in 0..<lanes {
                group.addTask {
                    for chunk in chunks.enumerated() where chunk.offset % lanes == lane { try await connection.publish(chunk.element) }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Takes `messages` deliveries from `queue` the way the raw loop does (250 at a time from a 500 window, acked
    /// together); returns the seconds it took.
    private static func consume(_ messages: Int, from queue: String, on connection: AMQPConnection) async -> Double {
        let subscription = connection.subscribe(queue: queue, prefetch: 500)
        let start = ContinuousClock.now
        var received = 0
        while received < messages {
            let batch = await subscription.next(max: 250)
            received += batch.count
            subscription.settle(batch.map { ($0, DeliveryOutcome.ack) })
        }
        let seconds = (ContinuousClock.now - start).seconds
        await subscription.cancel()
        return seconds
    }

    /// One raw publisher and one raw consumer on two threads against one fresh queue; returns the seconds until both
    /// are done.
    private static func rawPublishAndConsume(
        _ url: URL, queue: String, messages: Int, body: [UInt8], through exchange: RawRabbit.Exchange? = nil
    ) async throws -> Double {
        _ = try await onThread { try RawRabbit.publish(url, queue: queue, count: 0, body: body, through: exchange) }  // declare
        async let consumed = onThread { try RawRabbit.consume(url, queue: queue, count: messages) }
        let published = try await onThread { try RawRabbit.publish(url, queue: queue, count: messages, body: body, through: exchange) }
        return max(try await consumed, published)
    }

    /// Prints a rate; `baseline` is a raw rate (messages per second) measured in the same run, `cpu` where the
    /// machine's CPU went per message.
    private func report(_ label: String, count: Int, seconds: Double, baseline: Double? = nil, cpu: [(String, Double)] = []) {
        let rate = Double(count) / seconds
        var line = "\(label.padding(toLength: 46, withPad: " ", startingAt: 0)) \(String(format: "%9.0f msg/s", rate))  (\(String(format: "%.2f", seconds)) s)"
        if let baseline { line += String(format: "  = %.2f × raw", rate / baseline) }
        print(line)
        let cpu = cpu.filter { $0.1 >= 0.05 }  // PostgreSQL idles through the broker-only phases
        if !cpu.isEmpty { print("  CPU per message: " + CPUTime.describe(cpu, digits: 1)) }
    }

    /// Runs `work` and returns its result with the CPU each process spent on it per message.
    private func costed<Value>(_ messages: Int, _ work: () async throws -> Value) async rethrows -> (Value, [(String, Double)]) {
        let before = CPUTime.sample(fakePID: nil)
        let value = try await work()
        return (value, CPUTime.perItem(from: before, to: CPUTime.sample(fakePID: nil), items: messages))
    }
}

/// One outbox → inbox setup: a producer schema with `events` rows in its outbox, a consumer schema with an
/// effects table, and a queue bound to the events' routing key.
struct Path {
    struct Tuning {
        var prefetch: UInt16
        var batch: Int
        var concurrency: Int
        var relayInFlight: Int
        var relayBatch: Int
    }

    let client: PostgresClient
    let tuning: Tuning
    let amqpURL: AMQPURL
    let producer: Database
    let consumer: Database
    let queue: QueueSpec
    let events: Int
    let outboxWrite: Double
    let logger: Logger

    init(client: PostgresClient, amqpURL: AMQPURL, run: String, events: Int, size: Int, tuning: Tuning, logger: Logger) async throws {
        self.client = client
        self.tuning = tuning
        self.amqpURL = amqpURL
        self.events = events
        self.logger = logger
        producer = try await Self.schema(client, name: "loadgen_producer_\(run)", logger: logger)
        consumer = try await Self.schema(
            client, name: "loadgen_consumer_\(run)", logger: logger,
            extra: "CREATE TABLE SCHEMA.effects (event_id uuid NOT NULL, sequence integer NOT NULL)")
        let routingKey = "loadgen.\(run).numbered"
        queue = QueueSpec(name: "loadgen.bus.\(run)", bindings: [routingKey], expiresAfter: RawRabbit.scratchLifetime)
        let encoder = JSONCoding.encoder()
        let envelopes = try (0..<events).map { sequence -> EncodedEnvelope in
            var envelope = Envelope(
                companyID: CompanyID(), correlationID: "seq-\(sequence)",
                data: BenchEvent(sequence: sequence, padding: String(repeating: "p", count: max(0, size - 250))))
            envelope.type = EventType(rawValue: routingKey)
            return try EncodedEnvelope(envelope, encoder: encoder)
        }
        let start = ContinuousClock.now
        for first in stride(from: 0, to: envelopes.count, by: 1_000) {
            let chunk = Array(envelopes[first..<min(first + 1_000, envelopes.count)])
            let outbox = Outbox(schema: producer.schema)
            try await producer.withTransaction { try await outbox.enqueue(chunk, in: $0) }
        }
        outboxWrite = (ContinuousClock.now - start).seconds
    }

    /// Runs the relay and/or the inbox consumer until their part is done; returns seconds and the CPU per event
    /// by process.
    func measure(relay: Bool, inbox: Bool) async throws -> (seconds: Double, cpu: [(String, Double)]) {
        let publisher = AMQPConnection(
            configuration: AMQPConfiguration(url: amqpURL, connectionName: "loadgen.relay"), topology: Topology(queues: [queue]), logger: logger)
        let consumerConnection = AMQPConnection(
            configuration: AMQPConfiguration(url: amqpURL, connectionName: "loadgen.inbox"), topology: Topology(queues: [queue]), logger: logger)
        var services: [any Service] = [publisher, consumerConnection]
        if relay {
            services.append(
                OutboxRelay(database: producer, publisher: publisher, configuration: .init(batchSize: tuning.relayBatch, batchesInFlight: tuning.relayInFlight), logger: logger))
        }
        // Counted in process: polling `count(*)` over the growing tables every few milliseconds cost PostgreSQL
        // more CPU than the path being measured (pg_stat_statements: ~19 s of the run's ~50 s).
        let applied = Locked(0)
        if inbox {
            let effects = consumer.schema.rawValue + ".effects"
            services.append(
                InboxConsumer(
                    name: "bench", database: consumer, connection: consumerConnection,
                    configuration: .init(queue: queue.name, prefetch: tuning.prefetch, concurrency: tuning.concurrency, maxBatch: tuning.batch),
                    logger: logger
                ) { (batch: InboxBatch) in
                    let events = try batch.decode(BenchEvent.self)
                    try await batch.transaction.query(
                        """
                        INSERT INTO \(unescaped: effects) (event_id, sequence)
                        SELECT * FROM unnest(\(events.map(\.id.uuid))::uuid[], \(events.map(\.data.sequence))::int4[])
                        """)
                    applied.withLock { $0 += events.count }  // may count a batch that then rolls back: `done` confirms
                })
        }
        // Declare the queue before timing, so a relay-only run does not publish into nothing.
        publisher.start()
        try await publisher.waitUntilConnected()
        let serviceGroup = ServiceGroup(configuration: .init(services: services, logger: logger))
        let cpuBefore = CPUTime.sample(fakePID: nil)
        let start = ContinuousClock.now
        return try await withThrowingTaskGroup(of: Void.self) { group -> (Double, [(String, Double)]) in
            group.addTask { try await serviceGroup.run() }
            var depths: [Int] = []
            var lastSample = ContinuousClock.now
            while try await !done(relay: relay, inbox: inbox, applied: applied.withLock { $0 }) {
                try await Task.sleep(for: .milliseconds(relay && !inbox ? 50 : 5))
                // Where messages pile up tells which side limits: a growing queue means the consumer.
                if relay && inbox && ContinuousClock.now - lastSample > .seconds(1) {
                    lastSample = .now
                    depths.append(try await publisher.status(ofQueue: queue.name)?.messages ?? -1)
                }
            }
            let seconds = (ContinuousClock.now - start).seconds
            if !depths.isEmpty { print("queue depth each second: \(depths.map(String.init).joined(separator: " "))") }
            let cpu = CPUTime.perItem(from: cpuBefore, to: CPUTime.sample(fakePID: nil), items: events)  // before the shutdown's work
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
            return (seconds, cpu)
        }
    }

    /// The inbox is done when the handler has counted every event and the table agrees; the relay when no row
    /// is pending (one probe of the pending index every 50 ms).
    private func done(relay: Bool, inbox: Bool, applied: Int) async throws -> Bool {
        if inbox {
            guard applied >= events else { return false }
            return try await Self.count(consumer, "SELECT count(*) FROM SCHEMA.effects") >= events
        }
        return try await Self.count(producer, "SELECT count(*) FROM (SELECT 1 FROM SCHEMA.outbox WHERE published_at IS NULL ORDER BY id LIMIT 1) AS pending") == 0
    }

    /// Effect rows and distinct events among them: equal to the number of events only if each was applied exactly once.
    func effects() async throws -> (rows: Int, distinct: Int) {
        let rows = try await client.query(
            PostgresQuery(unsafeSQL: "SELECT count(*), count(DISTINCT event_id) FROM \(consumer.schema).effects"), logger: logger)
        for try await counts in rows.decode((Int, Int).self) { return counts }
        return (0, 0)
    }

    func drop() async throws {
        try await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(producer.schema) CASCADE"), logger: logger)
        try await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA \(consumer.schema) CASCADE"), logger: logger)
    }

    /// A schema with the services' real outbox and inbox migrations (CallRouter's files, schema renamed): the tables,
    /// and the trigger that notifies only while a relay waits.
    private static func schema(_ client: PostgresClient, name: String, logger: Logger, extra: String = "") async throws -> Database {
        let database = Database(client: client, schema: SchemaName(name)!, logger: logger)
        var migrations = try CallRouterService.definition().migrations()
            .filter { $0.name == "create_outbox_and_inbox" || $0.name == "notify_outbox_only_when_waiting" }
            .enumerated().map { index, migration in
                Migration(version: index + 1, name: migration.name, sql: migration.sql.replacingOccurrences(of: "callrouter", with: name))
            }
        if !extra.isEmpty {
            migrations.append(Migration(version: migrations.count + 1, name: "effects", sql: extra.replacingOccurrences(of: "SCHEMA", with: name)))
        }
        try await MigrationRunner(database: database).apply(migrations)
        return database
    }

    private static func count(_ database: Database, _ sql: String) async throws -> Int {
        let rows = try await database.client.query(PostgresQuery(unsafeSQL: sql.replacingOccurrences(of: "SCHEMA", with: database.schema.rawValue)))
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}

struct BenchEvent: Event {
    static let type: EventType = "loadgen.numbered"
    var sequence: Int
    var padding: String
}

/// Runs blocking work on a thread of its own, never on the Swift concurrency pool.
func onThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Swift.Result { try work() }) }.start()
    }
}

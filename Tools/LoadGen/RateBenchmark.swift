import Billing
import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceKit
import Storage

/// `loadgen rate`: `call.completed` events rated by a real Billing service (`ServiceHost`, its batch inbox
/// consumer, the wallet's ledger) from the broker to committed ledger rows, with the raw broker measured in the
/// same run as the yardstick. Two phases: a backlog drained from a full queue (BI-18: Billing coming back after
/// an outage), then events rated live while they are being published.
struct RateBenchmark {
    let options: Options

    func run() async throws {
        let events = options.int("events", default: 50_000)
        let companies = options.int("companies", default: 100)
        guard let amqpURL = AMQPURL(options.amqpURL), let rawURL = URL(string: options.amqpURL) else {
            throw RawRabbit.Failure(description: "bad --amqp URL")
        }
        var logger = Logger(label: "loadgen")
        logger.logLevel = .warning
        let environment = ProcessInfo.processInfo.environment.merging([
            "MYOP_DATABASE_URL": options.databaseURL,
            "MYOP_AMQP_URL": options.amqpURL,
            "MYOP_HTTP_PORT": "\(Int.random(in: 20_000..<32_000))",
            "MYOP_LOG_LEVEL": "warning",
        ]) { _, new in new }
        let configuration = try ServiceConfiguration.load(for: BillingService.identity, environment: environment)
        print("loadgen rate: \(events) call.completed events for \(companies) companies; consumer prefetch \(configuration.prefetch), batch \(configuration.consumerBatchSize), concurrency \(configuration.consumerConcurrency)")

        // The yardstick: rabbitmq-c alone, with envelopes of the same size.
        let sample = try Self.envelopes(1, companies: [CompanyID()])[0].body
        let rawQueue = "loadgen.rate.raw.\(UUID().uuidString.prefix(8).lowercased())"
        let rawPublish = try await onThread { try RawRabbit.publish(rawURL, queue: rawQueue, count: events, body: sample) }
        let rawConsume = try await onThread { try RawRabbit.consume(rawURL, queue: rawQueue, count: events) }
        report("raw rabbitmq-c publish (confirms)", count: events, seconds: rawPublish)
        report("raw rabbitmq-c consume (ack multiple)", count: events, seconds: rawConsume)

        let client = PostgresClient(configuration: try requireValue(DatabaseURL(options.databaseURL), "bad --database URL").clientConfiguration(maximumConnections: 4), backgroundLogger: logger)
        let publisher = AMQPConnection(
            configuration: AMQPConfiguration(url: amqpURL, connectionName: "loadgen.rate"), topology: Topology(queues: Subscriptions.queues),
            logger: logger)
        publisher.start()
        try await publisher.waitUntilConnected()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let database = Database(client: client, schema: SchemaName("billing")!, logger: logger)

            // Both phases' events are made up front, so encoding them is not measured.
            let backlogCompanies = (0..<companies).map { _ in CompanyID() }
            let backlog = try Self.envelopes(events, companies: backlogCompanies)
            let liveCompanies = (0..<companies).map { _ in CompanyID() }
            let live = try Self.envelopes(events, companies: liveCompanies)

            // Phase 1: a backlog waiting in the queue, then Billing starts.
            let publishStart = ContinuousClock.now
            try await Self.publish(backlog, on: publisher)
            report("publish call.completed (Messaging, confirms)", count: events, seconds: (ContinuousClock.now - publishStart).seconds, baseline: Double(events) / rawPublish)
            let drained = try await Self.withBilling(configuration, logger: logger) {
                let start = ContinuousClock.now
                try await Self.waitForCharges(events, companies: backlogCompanies, in: database)
                return (ContinuousClock.now - start).seconds
            }
            report("backlog: queue → ledger committed", count: events, seconds: drained, baseline: Double(events) / rawConsume)

            // Phase 2: Billing running while the events are published.
            let liveSeconds = try await Self.withBilling(configuration, logger: logger) {
                let start = ContinuousClock.now
                try await Self.publish(live, on: publisher)
                try await Self.waitForCharges(events, companies: liveCompanies, in: database)
                return (ContinuousClock.now - start).seconds
            }
            report("live: publish → ledger committed", count: events, seconds: liveSeconds, baseline: Double(events) / rawConsume)
            await publisher.shutdown()
        }
    }

    /// Calls that all cost something: connected, 1–900 seconds, every direction and number type.
    static func envelopes(_ count: Int, companies: [CompanyID]) throws -> [EncodedEnvelope] {
        let encoder = JSONCoding.encoder()
        let did = PhoneNumber(e164: "+918044556677")!
        let customer = PhoneNumber(e164: "+919876543210")!
        return try (0..<count).map { index in
            let call = CallCompleted(
                uid: CallID(), direction: index % 3 == 0 ? .outbound : .inbound, did: did, didType: index % 5 == 0 ? .tollFree : .virtual,
                customer: customer, agentID: UserID(), outcome: .connected, pickedUpAt: Date(), endedAt: Date(),
                billableSeconds: 1 + index % 900)
            return try EncodedEnvelope(Envelope(companyID: companies[index % companies.count], correlationID: call.uid.description, data: call), encoder: encoder)
        }
    }

    static func publish(_ envelopes: [EncodedEnvelope], on connection: AMQPConnection) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            let lanes = 4
            let chunks = stride(from: 0, to: envelopes.count, by: 1_000).map { envelopes[$0..<min($0 + 1_000, envelopes.count)] }
            for lane in 0..<lanes {
                group.addTask {
                    for chunk in chunks.enumerated() where chunk.offset % lanes == lane {
                        try await connection.publish(chunk.element.map(OutgoingMessage.init))
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    static func waitForCharges(_ count: Int, companies: [CompanyID], in database: Database) async throws {
        let ids = companies.map(\.uuid)
        while true {
            let rows = try await database.query(
                "SELECT count(*) FROM billing.ledger WHERE kind = 'call' AND company_id = ANY(\(ids)::uuid[])")
            for try await charged in rows.decode(Int.self) where charged >= count { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs the Billing service around `body` and stops it afterwards.
    static func withBilling(
        _ configuration: ServiceConfiguration, logger: Logger, _ body: @Sendable () async throws -> Double
    ) async throws -> Double {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await ServiceHost.run(BillingService.definition(), configuration: configuration, metrics: nil, logger: logger)
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    private func report(_ label: String, count: Int, seconds: Double, baseline: Double? = nil) {
        let rate = Double(count) / seconds
        var line = "\(label.padding(toLength: 46, withPad: " ", startingAt: 0)) \(String(format: "%9.0f msg/s", rate))  (\(String(format: "%.2f", seconds)) s)"
        if let baseline { line += String(format: "  = %.2f × raw", rate / baseline) }
        print(line)
    }
}

func requireValue<Value>(_ value: Value?, _ message: String = "missing value") throws -> Value {
    guard let value else { throw RawRabbit.Failure(description: message) }
    return value
}

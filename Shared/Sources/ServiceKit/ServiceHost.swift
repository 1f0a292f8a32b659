import Foundation
public import Logging
import Hummingbird
import Messaging
import Metrics
import PostgresNIO
public import Prometheus
import ServiceLifecycle
import UnixSignals
import Storage

/// Runs one service: PostgreSQL pool, migrations, two broker connections (publishing and consuming are kept
/// apart so flow control on one never stalls the other), the outbox relay, the inbox consumers, the
/// service's own background work and the HTTP server, as one service group that stops gracefully on SIGTERM.
public enum ServiceHost {
    /// The whole process: logging and metrics bootstrap, configuration from the environment, run.
    public static func main(_ definition: ServiceDefinition) async {
        let registry = PrometheusCollectorRegistry()
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.load(for: definition.identity)
        } catch {
            FileHandle.standardError.write(Data("\(definition.identity.name): configuration error: \(error)\n".utf8))
            exit(2)
        }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: definition.identity.name)
        do {
            try await run(definition, configuration: configuration, metrics: registry, logger: logger)
        } catch {
            logger.critical("service stopped with an error", metadata: ["error": "\(String(reflecting: error))"])
            exit(1)
        }
    }

    public static func run(
        _ definition: ServiceDefinition, configuration: ServiceConfiguration, metrics: PrometheusCollectorRegistry?, logger: Logger
    ) async throws {
        let identity = definition.identity
        let client = PostgresClient(
            configuration: configuration.databaseURL.clientConfiguration(
                maximumConnections: configuration.databaseMaxConnections,
                settings: configuration.databaseSessionSettings.merging(definition.databaseSettings) { _, service in service }),
            backgroundLogger: logger)
        // The pool runs outside this task's structure so that cancelling `run` (a test, or ServiceGroup stopping
        // the process after a sibling failed) stops the services first: a consumer or the relay still finishing
        // a batch would otherwise wait forever for a connection from a pool that is already gone. Detached, because
        // the pool shuts down on a graceful shutdown it can see: run inside another ServiceGroup (the tests' servers),
        // it would inherit that group's and close under consumers still draining, which then requeue forever.
        let pool = Task.detached { await client.run() }
        defer { pool.cancel() }
        let database = Database(client: client, schema: identity.schema, logger: logger)
        try await migrate(definition, database: database, logger: logger)

        let topology = Topology(queues: definition.queues)
        func connection(_ role: String) -> AMQPConnection {
            AMQPConnection(
                configuration: AMQPConfiguration(
                    url: configuration.amqpURL, connectionName: "\(identity.name).\(role)", tlsCACertificatePath: configuration.amqpCACertificate),
                topology: topology, logger: logger)
        }
        let publisher = connection("publisher")
        let consumer = connection("consumer")
        let context = ServiceContext(identity: identity, configuration: configuration, database: database, logger: logger)
        let components = try await definition.build(context)
        let relay = OutboxRelay(
            database: database, publisher: publisher, configuration: .init(batchSize: configuration.relayBatchSize), logger: logger)
        let consumers: [any Service] = components.consumers.map { definition in
            InboxConsumer(
                name: definition.name, database: database, connection: consumer,
                configuration: .init(
                    queue: definition.queue, prefetch: configuration.prefetch, concurrency: configuration.consumerConcurrency,
                    maxBatch: configuration.consumerBatchSize), logger: logger, batchHandler: definition.handler)
        }
        let workers: [any Service] = components.workers.map { worker in
            // A job holds its deliveries for seconds (rate-limited requests), so the window is the concurrency.
            MessageConsumer(
                connection: consumer,
                configuration: .init(queue: worker.queue, prefetch: UInt16(clamping: worker.concurrency), concurrency: worker.concurrency),
                logger: logger, handler: worker.handler)
        }
        let deadLetters = DeadLetters(database: database, publisher: publisher)
        let keeper = DeadLetterKeeper(deadLetters: deadLetters, connection: consumer, queues: definition.queues, logger: logger)
        let router = RouterBuilder.build(
            components: components, verifier: await TokenVerifier(secret: configuration.jwtSecret),
            readiness: Readiness(database: database, connections: [publisher, consumer]), metrics: metrics,
            maxBodyBytes: configuration.maxBodyBytes, deadLetters: DeadLetterRoutes(deadLetters: deadLetters, queues: definition.queues))
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: identity.name),
            logger: logger)
        // Started together; stopped in reverse: HTTP first, then consumers drain and ack, then the relay,
        // then the connections close.
        let retention = InboxRetention(database: database, retention: configuration.inboxRetention, logger: logger)
        let services: [any Service] = [publisher, consumer, relay, retention, keeper] + components.services + consumers + workers + [app]
        let serviceGroup = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info("starting", metadata: ["http": "\(configuration.httpHost):\(configuration.httpPort)", "database": "\(configuration.databaseURL)", "amqp": "\(configuration.amqpURL)"])
        try await serviceGroup.run()
    }

    /// Applies the service's migrations, waiting up to a minute for the database to accept connections.
    static func migrate(_ definition: ServiceDefinition, database: Database, logger: Logger) async throws {
        let migrations = try definition.migrations()
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do {
                try await MigrationRunner(database: database).apply(migrations)
                return
            } catch let error as PSQLError where error.code == .connectionError && ContinuousClock.now < deadline {
                logger.warning("database not reachable yet; retrying", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}

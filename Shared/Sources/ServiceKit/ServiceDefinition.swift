public import Foundation
public import Logging
public import Hummingbird
public import Messaging
public import ServiceLifecycle
public import Storage

/// What a service is, for `ServiceHost`: its name, migrations, queues, and a builder for its consumers,
/// routes and background work. Each service library exports one; its executable only runs it.
public struct ServiceDefinition: Sendable {
    public let identity: ServiceIdentity
    /// The `Migrations` resource folder of the service library (`Bundle.module`).
    public let migrationsDirectory: URL?
    public let queues: [QueueSpec]
    /// PostgreSQL settings for every connection of the service (sent when it connects), e.g. `plan_cache_mode`.
    public let databaseSettings: [String: String]
    public let build: @Sendable (ServiceContext) async throws -> ServiceComponents

    public init(
        identity: ServiceIdentity, migrationsDirectory: URL?, queues: [QueueSpec], databaseSettings: [String: String] = [:],
        build: @escaping @Sendable (ServiceContext) async throws -> ServiceComponents = { _ in ServiceComponents() }
    ) {
        self.identity = identity
        self.migrationsDirectory = migrationsDirectory
        self.queues = queues
        self.databaseSettings = databaseSettings
        self.build = build
    }

    public func migrations() throws -> [Migration] {
        guard let migrationsDirectory else { return [] }
        return try Migration.load(from: migrationsDirectory)
    }
}

/// The shared resources a service's components are built from.
public struct ServiceContext: Sendable {
    public let identity: ServiceIdentity
    public let configuration: ServiceConfiguration
    public let database: Database
    public let outbox: Outbox
    public let logger: Logger

    public init(identity: ServiceIdentity, configuration: ServiceConfiguration, database: Database, logger: Logger) {
        self.identity = identity
        self.configuration = configuration
        self.database = database
        self.outbox = Outbox(schema: database.schema)
        self.logger = logger
    }
}

/// One inbox consumer of a service: its queue and its handler (per event, or per batch for hot paths).
public struct ConsumerDefinition: Sendable {
    public let name: String
    public let queue: String
    public let handler: InboxConsumer.BatchHandler

    public init(name: String, queue: String, handler: @escaping InboxConsumer.Handler) {
        self.init(name: name, queue: queue) { batch in
            try await batch.apply(handler)
        }
    }

    public init(name: String, queue: String, batchHandler: @escaping InboxConsumer.BatchHandler) {
        self.name = name
        self.queue = queue
        self.handler = batchHandler
    }
}

/// A work queue whose jobs have effects outside the database (requests to a provider) that cannot sit inside one
/// transaction, so it is not consumed through the inbox: the handler makes a redelivered job harmless itself (it
/// claims rows before the effect and records the outcome after). A job is acked when the handler returns and
/// requeued when it throws.
public struct WorkerDefinition: Sendable {
    public let queue: String
    /// Jobs handled at once by one replica.
    public let concurrency: Int
    public let handler: @Sendable (Delivery) async throws -> Void

    public init(queue: String, concurrency: Int, handler: @escaping @Sendable (Delivery) async throws -> Void) {
        self.queue = queue
        self.concurrency = concurrency
        self.handler = handler
    }
}

/// The parts of a running service besides the shared ones.
public struct ServiceComponents: Sendable {
    public var consumers: [ConsumerDefinition]
    public var workers: [WorkerDefinition]
    /// Routes under `/v1`, behind JWT authentication.
    public var authenticatedRoutes: @Sendable (RouterGroup<AppRequestContext>) -> Void
    /// Routes outside authentication (provider webhooks, `/openapi.json`).
    public var publicRoutes: @Sendable (Router<AppRequestContext>) -> Void
    /// Background work (schedulers, senders), started after the relay and stopped before it.
    public var services: [any Service]

    public init(
        consumers: [ConsumerDefinition] = [], workers: [WorkerDefinition] = [], authenticatedRoutes: @escaping @Sendable (RouterGroup<AppRequestContext>) -> Void = { _ in },
        publicRoutes: @escaping @Sendable (Router<AppRequestContext>) -> Void = { _ in }, services: [any Service] = []
    ) {
        self.consumers = consumers
        self.workers = workers
        self.authenticatedRoutes = authenticatedRoutes
        self.publicRoutes = publicRoutes
        self.services = services
    }
}

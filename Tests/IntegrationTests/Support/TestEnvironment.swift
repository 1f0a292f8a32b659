import Contracts
import Foundation
import Logging
import Messaging
import PostgresNIO
import ServiceLifecycle
import Storage
import Testing

/// The real RabbitMQ and PostgreSQL that `scripts/test` starts. A missing server is a failure, never a skip.
enum TestEnvironment {
    static var logger: Logger {
        var logger = Logger(label: "integration")
        logger.logLevel = ProcessInfo.processInfo.environment["MYOP_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }

    static func databaseURL() throws -> DatabaseURL {
        try #require(DatabaseURL(databaseURLText), "MYOP_TEST_DATABASE_URL is not a postgres:// URL")
    }

    static var amqpURLText: String { ProcessInfo.processInfo.environment["MYOP_TEST_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:56720" }

    static var databaseURLText: String {
        ProcessInfo.processInfo.environment["MYOP_TEST_DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:55432/myop_test"
    }

    static func amqpURL() throws -> AMQPURL {
        try #require(AMQPURL(amqpURLText), "MYOP_TEST_AMQP_URL is not an amqp:// URL")
    }

    /// A port for a server a test starts: below Linux's ephemeral range (32768–60999), so no outgoing connection of
    /// this busy process (connection pools, HTTP clients) can be holding it when the server binds; free when handed out,
    /// and never handed out twice in one run, so two servers of tests running in parallel cannot be given the same one.
    static func listenPort() -> Int { ListenPorts.shared.next() }

    /// A fresh lowercase name for schemas, queues and routing keys, so tests never see each other's data.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Stops or starts the project-local RabbitMQ node (`scripts/rabbit stop|start`); returns when done.
    static func rabbit(_ action: String) async throws {
        try await rabbit([action])
    }

    /// Waits for the script without blocking a thread of the Swift concurrency pool: `rabbitmqctl` starts an Erlang
    /// VM and takes seconds, and with two cores the pool has two threads, so every other test of the run stalled
    /// while one or two of these waited (seen as 5–6 s unit tests, and timing assertions failing).
    private static func rabbit(_ arguments: [String]) async throws {
        let script = ProcessInfo.processInfo.environment["MYOP_RABBIT_SCRIPT"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../scripts/rabbit").standardized.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try #require(status == 0, "scripts/rabbit \(arguments.joined(separator: " ")) failed")
    }

    /// `rabbitmqctl` against the project-local node (`scripts/rabbit ctl …`); returns when done.
    static func rabbitctl(_ arguments: String...) async throws {
        try await rabbit(["ctl"] + arguments)
    }

    static func connection(_ name: String, queues: [QueueSpec] = []) throws -> AMQPConnection {
        AMQPConnection(
            configuration: AMQPConfiguration(url: try amqpURL(), connectionName: "it.\(name)", reconnectInitialDelay: .milliseconds(50),
                                             reconnectMaximumDelay: .seconds(1)),
            // Test queues go away by themselves 15 minutes after the test stops using them; left behind, each would
            // keep collecting every later run's events. (Unused means no consumer: an observer that subscribes only
            // at the end of a long test must outlive the test, so not less.)
            topology: Topology(queues: queues.map { queue in
                var temporary = queue
                temporary.expiresAfter = temporary.expiresAfter ?? .seconds(900)
                return temporary
            }), logger: logger)
    }
}

/// Runs `body` with a live PostgreSQL client.
func withPostgres<Result: Sendable>(_ body: @Sendable (PostgresClient) async throws -> Result) async throws -> Result {
    let client = PostgresClient(configuration: try TestEnvironment.databaseURL().clientConfiguration(maximumConnections: 40),
                                backgroundLogger: TestEnvironment.logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body(client)
    }
}

/// A new schema carrying the real outbox and inbox migration (the CallRouter file with the schema renamed),
/// plus `extraSQL` (use `SCHEMA` for the schema name).
func makeSchema(_ client: PostgresClient, prefix: String, extraSQL: String = "") async throws -> Database {
    let (database, migrations) = try testSchema(client, prefix: prefix, extraSQL: extraSQL)
    try await MigrationRunner(database: database).apply(migrations)
    return database
}

/// The database handle and migrations of a not yet created test schema.
func testSchema(_ client: PostgresClient, prefix: String, extraSQL: String = "") throws -> (Database, [Migration]) {
    let name = TestEnvironment.uniqueName(prefix)
    let schema = try #require(SchemaName(name))
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../Services/CallRouter/Migrations")
    func sql(_ file: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(file).standardized, encoding: .utf8).replacingOccurrences(of: "callrouter", with: name)
    }
    var migrations = [
        Migration(version: 1, name: "create_outbox_and_inbox", sql: try sql("0001_create_outbox_and_inbox.sql")),
        Migration(version: 2, name: "notify_outbox_only_when_waiting", sql: try sql("0003_notify_outbox_only_when_waiting.sql")),
    ]
    if !extraSQL.isEmpty {
        migrations.append(Migration(version: 3, name: "test_tables", sql: extraSQL.replacingOccurrences(of: "SCHEMA", with: name)))
    }
    return (Database(client: client, schema: schema, logger: TestEnvironment.logger), migrations)
}

/// Runs services as a real `ServiceGroup` around `body`, then shuts them down gracefully.
func running<Result: Sendable>(_ services: [any Service], _ body: @Sendable () async throws -> Result) async throws -> Result {
    let serviceGroup = ServiceGroup(configuration: .init(services: services, logger: TestEnvironment.logger))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await serviceGroup.run() }
        do {
            let result = try await body()
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch {
            await serviceGroup.triggerGracefulShutdown()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// Polls `condition` until it holds; fails with `message` after `timeout`.
func eventually(
    timeout: Duration = .seconds(60), _ message: @autoclosure () -> String = "condition not met in time",
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record(Comment(rawValue: message()))
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}

extension Database {
    func count(_ sql: String) async throws -> Int {
        let rows = try await client.query(PostgresQuery(unsafeSQL: sql.replacingOccurrences(of: "SCHEMA", with: schema.rawValue)))
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}

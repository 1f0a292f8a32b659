import CallRouter
import Foundation
import PostgresNIO
import ServiceKit
import Storage
import Testing

/// `ServiceDefinition.databaseSettings` reach PostgreSQL as startup parameters of every pooled connection.
@Suite("Database settings")
struct DatabaseSettingsTests {
    private static func planCacheMode(settings: [String: String]) async throws -> [String] {
        try await withClient(settings: settings) { client in
            // Several at once, so that more than one connection of the pool answers.
            try await withThrowingTaskGroup(of: String.self) { queries in
                for _ in 0..<4 {
                    queries.addTask {
                        for try await mode in try await client.query("SELECT current_setting('plan_cache_mode'), pg_sleep(0.05)::text").decode((String, String).self) {
                            return mode.0
                        }
                        return ""
                    }
                }
                return try await queries.reduce(into: []) { $0.append($1) }
            }
        }
    }

    /// A pool whose every session starts with `settings`.
    private static func withClient<Result: Sendable>(
        settings: [String: String], _ body: @Sendable (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(
            configuration: try TestEnvironment.databaseURL().clientConfiguration(maximumConnections: 4, settings: settings),
            backgroundLogger: TestEnvironment.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    @Test("Every service's sessions carry a statement limit and an idle-in-transaction limit, 60 s and 30 s unless configured")
    func sessionLimits() throws {
        let defaults = try ServiceConfiguration.load(for: CallRouterService.identity, environment: [:])
        #expect(defaults.databaseSessionSettings == ["statement_timeout": "60000", "idle_in_transaction_session_timeout": "30000"])
        let configured = try ServiceConfiguration.load(
            for: CallRouterService.identity,
            environment: ["MYOP_DATABASE_STATEMENT_TIMEOUT_SECONDS": "0", "MYOP_DATABASE_IDLE_IN_TRANSACTION_SECONDS": "45"])
        #expect(configured.databaseSessionSettings == ["statement_timeout": "0", "idle_in_transaction_session_timeout": "45000"])
        // Below the floors, paths that wait on the broker or Billing inside a transaction would fail every time.
        for (variable, value) in [
            ("MYOP_DATABASE_STATEMENT_TIMEOUT_SECONDS", "-1"), ("MYOP_DATABASE_STATEMENT_TIMEOUT_SECONDS", "5"),
            ("MYOP_DATABASE_IDLE_IN_TRANSACTION_SECONDS", "10"),
        ] {
            #expect(throws: ConfigurationError.self, "\(variable)=\(value)") {
                try ServiceConfiguration.load(for: CallRouterService.identity, environment: [variable: value])
            }
        }
    }

    @Test("A replica hanging inside a transaction loses its session after the idle limit, and the locks it held are free for the others")
    func hungTransactionReleasesItsLocks() async throws {
        let key = Int64.random(in: 1...Int64.max)
        // One second instead of the 30 s floor, to keep the test short.
        try await Self.withClient(settings: ["idle_in_transaction_session_timeout": "1000"]) { hung in
            try await withPostgres { other in
                func lockIsFree() async throws -> Bool {
                    for try await free in try await other.query("SELECT pg_try_advisory_xact_lock(\(key))").decode(Bool.self) { return free }
                    return false
                }
                let database = Database(client: hung, schema: try #require(SchemaName("public")), logger: TestEnvironment.logger)
                let hanging = Task {
                    try await database.withTransaction { transaction in
                        try await transaction.query("SELECT pg_advisory_xact_lock(\(key))")
                        try await Task.sleep(for: .seconds(10))
                        try await transaction.query("SELECT 1")
                    }
                }
                try await eventually(timeout: .seconds(10), "the hanging transaction holds the lock") { try await !lockIsFree() }
                // Freed long before the hanging transaction would have woken.
                try await eventually(timeout: .seconds(5), "PostgreSQL ended the idle transaction") { try await lockIsFree() }
                // Its work was rolled back; when it wakes, its next statement fails at once instead of waiting forever
                // for an answer on the closed session.
                await #expect(throws: DatabaseSessionClosed.self) { try await hanging.value }
                // The pool replaced the connection.
                #expect(try await database.withTransaction { transaction in
                    for try await one in try await transaction.query("SELECT 1").decode(Int.self) { return one }
                    return 0
                } == 1)
            }
        }
    }

    @Test("A session the server ends during a statement fails its transaction at once (no ROLLBACK left waiting), and the pool goes on")
    func terminatedSession() async throws {
        try await withPostgres { client in
            let database = Database(client: client, schema: try #require(SchemaName("public")), logger: TestEnvironment.logger)
            let marker = "terminated_\(UInt64.random(in: 1...UInt64.max))"
            let started = ContinuousClock.now
            let victim = Task {
                try await database.withTransaction { transaction in
                    try await transaction.query("SELECT 1")
                    try await transaction.query("SELECT pg_sleep(20) /* \(unescaped: marker) */")
                }
            }
            try await eventually(timeout: .seconds(10), "the statement was found and its session ended") {
                try await database.count(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query LIKE '%\(marker) */' AND pid <> pg_backend_pid()") == 1
            }
            await #expect(throws: (any Error).self) { try await victim.value }
            #expect(ContinuousClock.now - started < .seconds(15), "failed when the session ended, not when the sleep would have")
            // The pool goes on (on a loaded machine it may take it a moment to learn that the connection closed).
            try await eventually(timeout: .seconds(5), "a transaction runs again") {
                (try? await database.withTransaction { transaction in
                    for try await one in try await transaction.query("SELECT 1").decode(Int.self) { return one }
                    return 0
                }) == 1
            }
        }
    }

    @Test("A statement running past the limit is cancelled; migrations are exempt, however long they run")
    func statementLimit() async throws {
        try await Self.withClient(settings: ["statement_timeout": "300"]) { client in
            do {
                for try await _ in try await client.query("SELECT pg_sleep(2)::text").decode(String.self) {}
                Issue.record("a statement ran past the limit")
            } catch let error as PSQLError {
                #expect(error.serverInfo?[.sqlState] == "57014", "query_canceled")
            }
            let (database, migrations) = try testSchema(client, prefix: "it_slow_migration", extraSQL: "SELECT pg_sleep(0.6)")
            #expect(try await MigrationRunner(database: database).apply(migrations) == [1, 2, 3])
        }
    }

    @Test("CallRouter's connections plan its statements once (plan_cache_mode), other services' as PostgreSQL chooses")
    func planCacheModeReachesEveryConnection() async throws {
        let settings = CallRouterService.definition().databaseSettings
        #expect(settings == ["plan_cache_mode": "force_generic_plan"])
        #expect(try await Self.planCacheMode(settings: settings) == Array(repeating: "force_generic_plan", count: 4))
        #expect(try await Self.planCacheMode(settings: [:]) == Array(repeating: "auto", count: 4))
    }
}

import Logging
import PostgresNIO

/// Applies a service's migrations at start-up, once, even when several replicas start together.
///
/// Everything happens in one transaction holding `pg_advisory_xact_lock` keyed by the schema: the second
/// replica waits for the first to commit, then finds every version recorded in `<schema>.schema_migrations`.
public struct MigrationRunner: Sendable {
    public let database: Database

    public init(database: Database) { self.database = database }

    /// Returns the versions applied by this call (empty when another replica or an earlier start did it).
    @discardableResult
    public func apply(_ migrations: [Migration]) async throws -> [Int] {
        let schema = database.schema.rawValue
        let lockKey = "myop.migrations.\(schema)"
        return try await database.withTransaction { transaction in
            // A migration may rewrite or index a big table, and a replica starting meanwhile waits for it on the lock:
            // neither is held to the sessions' statement limit.
            try await transaction.query("SET LOCAL statement_timeout = 0")
            try await transaction.query("SELECT pg_advisory_xact_lock(hashtext(\(lockKey)))")
            let exists = try await transaction.query("SELECT 1 FROM pg_namespace WHERE nspname = \(schema)")
            if try await exists.collect().isEmpty {
                try await transaction.query("CREATE SCHEMA \(unescaped: schema)")
            }
            try await transaction.query(
                """
                CREATE TABLE IF NOT EXISTS \(unescaped: schema).schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            var applied: Set<Int> = []
            for try await version in try await transaction.query("SELECT version FROM \(unescaped: schema).schema_migrations").decode(Int.self) {
                applied.insert(version)
            }
            var newlyApplied: [Int] = []
            for migration in migrations where !applied.contains(migration.version) {
                for statement in SQLScript.statements(migration.sql) {
                    try await transaction.query(PostgresQuery(unsafeSQL: statement))
                }
                try await transaction.query(
                    "INSERT INTO \(unescaped: schema).schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
                newlyApplied.append(migration.version)
                database.logger.info("applied migration", metadata: ["schema": "\(schema)", "version": "\(migration.version)", "name": "\(migration.name)"])
            }
            return newlyApplied
        }
    }
}

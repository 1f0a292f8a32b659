public import Logging
public import PostgresNIO

/// A service's handle on PostgreSQL: the pooled client and the schema the service owns.
public struct Database: Sendable {
    public let client: PostgresClient
    public let schema: SchemaName
    public let logger: Logger

    public init(client: PostgresClient, schema: SchemaName, logger: Logger) {
        self.client = client
        self.schema = schema
        self.logger = logger
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws. The error `body` threw
    /// comes out as itself.
    ///
    /// BEGIN, COMMIT and ROLLBACK go through `Transaction.query`, not postgres-nio's `withTransaction`: on a session
    /// PostgreSQL has ended (the idle-in-transaction limit, a restart, `pg_terminate_backend`) postgres-nio's
    /// statements are never answered, so its ROLLBACK or COMMIT would hang the caller, and a consumer holding
    /// unacknowledged deliveries would hang with it.
    public func withTransaction<Result: Sendable>(
        _ body: (Transaction) async throws -> Result
    ) async throws -> Result {
        try await withOpenConnection { connection in
            let transaction = Transaction(connection: connection, schema: schema, logger: logger)
            try await transaction.query("BEGIN")
            let result: Result
            do {
                result = try await body(transaction)
            } catch {
                await rollBack(transaction, after: error)
                throw error
            }
            try await transaction.query("COMMIT")
            return result
        }
    }

    /// Ends a failed transaction. A session that ended (the error says so, or the connection is closed) has nothing left
    /// to roll back: PostgreSQL rolled it back as it ended. postgres-nio fails the statement in flight before it closes
    /// the channel, so a ROLLBACK sent at once may be dropped unanswered: it gets a few seconds, and a connection whose
    /// ROLLBACK failed or did not answer is closed, never handed back to the pool inside a transaction.
    private func rollBack(_ transaction: Transaction, after error: any Error) async {
        let connection = transaction.connection
        guard !connection.isClosed, !Self.endsSession(error) else {
            try? await connection.close()
            return
        }
        let rolledBack = await bounded(.seconds(5), fallback: false) { (try? await transaction.query("ROLLBACK")) != nil }
        if !rolledBack {
            logger.warning("rollback failed or did not answer; closing the connection", metadata: ["error": "\(String(reflecting: error))"])
            try? await connection.close()
        }
    }

    /// Errors after which the session is gone.
    private static func endsSession(_ error: any Error) -> Bool {
        if error is DatabaseSessionClosed { return true }
        guard let error = error as? PSQLError else { return false }
        return [.serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown].contains(error.code)
    }

    /// `withTransaction`, run again (up to `attempts` times in all) when PostgreSQL aborted it for colliding with
    /// another transaction: a deadlock, or a serialization failure. Both roll back everything, so a body whose only
    /// effects are its statements can simply run again; a body that calls out (HTTP, the broker) must not use this.
    public func withTransaction<Result: Sendable>(
        retryingConflicts attempts: Int, _ body: (Transaction) async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await withTransaction(body)
            } catch let error as PSQLError where error.isTransactionConflict && attempt < attempts {
                attempt += 1
                logger.debug("transaction collided with another; running it again", metadata: ["attempt": "\(attempt)"])
            }
        }
    }

    /// Runs `body` on one pooled connection with no transaction open: each statement commits on its own. For a hot
    /// path that reads, decides in memory and then writes everything in one statement, it saves the BEGIN and COMMIT
    /// round trips; anything that must change together has to be in that one statement.
    public func withConnection<Result: Sendable>(_ body: (Transaction) async throws -> Result) async throws -> Result {
        try await withOpenConnection { connection in
            try await body(Transaction(connection: connection, schema: schema, logger: logger))
        }
    }

    /// A pooled connection that is still open. The pool can hand out a connection the server closed a moment ago (it
    /// learns of the close just after, later on a busy machine): nothing has run on it, so another one is asked for, with
    /// waits of 10 to 160 ms (about 0.3 s in all).
    private func withOpenConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        for attempt in 0..<5 {
            do {
                return try await client.withConnection { connection in
                    guard !connection.isClosed else { throw ClosedWhenLeased() }
                    return try await body(connection)
                }
            } catch is ClosedWhenLeased {
                try await Task.sleep(for: .milliseconds(10 << attempt))
            }
        }
        throw DatabaseSessionClosed()
    }

    private struct ClosedWhenLeased: Error {}

    /// One statement outside any explicit transaction.
    @discardableResult
    public func query(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        try await client.query(query, logger: logger, file: file, line: line)
    }

    /// Cheap round trip for readiness checks.
    public func ping() async throws {
        try await client.query("SELECT 1", logger: logger)
    }

    /// Whether the database answers a trivial query within a few seconds: after a failed statement, whether the
    /// database is out (wait it out) or the statement itself failed. Bounded: a ping waiting for a connection, or sent
    /// to a host that drops packets, must not hold the caller (or its stop) any longer than that.
    public func answers() async -> Bool {
        await bounded(.seconds(5), fallback: false) { (try? await self.ping()) != nil }
    }

    /// Whether `error`, from a statement, means the database is out rather than the statement at fault.
    public func isOutage(_ error: any Error) async -> Bool {
        if (error as? PSQLError)?.meansDatabaseUnavailable == true { return true }
        return await !answers()
    }
}

/// A connection inside an open transaction (`withTransaction`), or one whose statements each commit on their own
/// (`withConnection`). Valid only inside the body that produced it.
public struct Transaction: Sendable {
    public let connection: PostgresConnection
    public let schema: SchemaName
    public let logger: Logger

    /// Fails at once, with `DatabaseSessionClosed`, on a connection PostgreSQL has closed: postgres-nio would drop
    /// the statement unsent and never answer it. (A close landing between this check and the write can still drop the
    /// statement; the window is the few microseconds between the two, where the server would have to end the session.)
    @discardableResult
    public func query(_ query: PostgresQuery, file: String = #fileID, line: Int = #line) async throws -> PostgresRowSequence {
        guard !connection.isClosed else { throw DatabaseSessionClosed() }
        return try await connection.query(query, logger: logger, file: file, line: line)
    }
}

/// A statement was not sent: PostgreSQL had closed the session (the idle-in-transaction limit, a restart, an
/// administrator), and rolled back whatever the session's open transaction held. Running the work again on a new
/// connection is expected to succeed.
public struct DatabaseSessionClosed: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the database closed this session; its open transaction was rolled back" }
}

extension PSQLError {
    /// The server is there but cannot do the work: a connection failure (class 08), out of resources such as disk or
    /// connections (53), shutting down or starting (57P), or read-only after a failover (25006). Nothing a message did.
    public var meansDatabaseUnavailable: Bool {
        guard let state = serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P") || state == "25006"
    }

    /// PostgreSQL aborted the transaction because it collided with another (deadlock_detected 40P01,
    /// serialization_failure 40001): nothing of it was kept, and running it again is expected to succeed.
    public var isTransactionConflict: Bool {
        switch serverInfo?[.sqlState] {
        case "40P01", "40001": true
        default: false
        }
    }
}

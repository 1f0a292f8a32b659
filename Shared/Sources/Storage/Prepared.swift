public import PostgresNIO

/// The text of a statement on a hot path, run as a named prepared statement: PostgreSQL parses and plans it once
/// per connection instead of on every execution (parse and plan were ~40 % of the database's CPU per routing
/// decision). postgres-nio names a prepared statement by its Swift type, so the text is fixed per type and names
/// its schema itself; use it only for a service's own, fixed schema.
///
/// Parsed once, a statement may still be planned on every execution: PostgreSQL keeps planning for the values at
/// hand while such a plan looks cheaper than a generic one, which it always does for a statement with optional
/// parts. A service whose hot statements are like that sets `plan_cache_mode` (`ServiceDefinition.databaseSettings`).
///
/// Cast every parameter that may be NULL (`$3::uuid`): the statement is prepared with the types of the first
/// execution's values, and a NULL has none, so without the cast PostgreSQL infers one from the context and a later
/// value of another width would not fit it.
///
/// A failed preparation (a typo, a missing table) is remembered by the connection, so such a statement fails on
/// that connection from then on. Never run one inside a transaction that has already failed.
public protocol PreparedText: Sendable {
    static var sql: String { get }
}

/// One execution of a `PreparedText` with its values; rows come back undecoded.
public struct Prepared<Text: PreparedText>: PostgresPreparedStatement {
    public typealias Row = PostgresRow

    public static var sql: String { Text.sql }
    public static var name: String { String(reflecting: Text.self) }

    public var bindings: PostgresBindings

    public init(_ bindings: PostgresBindings) {
        self.bindings = bindings
    }

    public func makeBindings() throws -> PostgresBindings { bindings }

    public func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension Transaction {
    /// Runs `Text` as a named prepared statement with `bindings` ($1, $2, … in order).
    @discardableResult
    public func execute<Text: PreparedText>(
        _ text: Text.Type, _ bindings: PostgresBindings, file: String = #fileID, line: Int = #line
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow> {
        try await connection.execute(Prepared<Text>(bindings), logger: logger, file: file, line: line)
    }

    /// Runs `Text` to its end and returns how many rows it answered. Reading to the end matters for a statement with
    /// several parts (a `WITH` of writes): parts may run after the first row is sent, and an error in one of them
    /// undoes the whole statement and arrives after that row.
    @discardableResult
    public func run<Text: PreparedText>(_ text: Text.Type, _ bindings: PostgresBindings, file: String = #fileID, line: Int = #line) async throws -> Int {
        var rows = 0
        for try await _ in try await execute(text, bindings, file: file, line: line) { rows += 1 }
        return rows
    }
}

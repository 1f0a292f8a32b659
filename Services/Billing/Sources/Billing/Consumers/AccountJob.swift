import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import Storage

/// A job over accounts that fall due by one of their timestamps (the monthly cycle, the renewal steps): it takes the
/// due ones in batches until none is left, then waits for the next round.
protocol AccountJob: Service {
    var interval: Duration { get }
    var logger: Logger { get }
    /// What the log says when a round fails.
    var failure: String { get }
    /// How many accounts one transaction takes.
    var batch: Int { get }
    /// Handles up to `limit` accounts due at `now` in one transaction; returns how many.
    func runDue(now: Date, limit: Int) async throws -> Int
}

extension AccountJob {
    func run() async throws {
        await Polling.run(every: interval, logger: logger, failure: failure) {
            while try await runDue(now: Date(), limit: batch) > 0 {}
        }
    }
}

extension AccountStore {
    enum DueColumn: String {
        case nextCycle = "next_cycle_at"
        case renewalStep = "renewal_step_at"
    }

    /// Locks up to `limit` accounts due by `column` at `now`, earliest first, skipping those another replica holds:
    /// any number of replicas share the work and none takes an account twice.
    static func claimDue(_ column: DueColumn, now: Date, limit: Int, in transaction: Transaction) async throws -> [Account] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).accounts
            WHERE \(unescaped: column.rawValue) <= \(now) ORDER BY \(unescaped: column.rawValue) LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """)
        var due: [Account] = []
        for try await row in rows { due.append(try decode(row)) }
        return due
    }
}

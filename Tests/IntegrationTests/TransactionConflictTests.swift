import Contracts
import Foundation
import PostgresNIO
import Storage
import Testing

/// Two transactions that lock two rows in opposite orders: PostgreSQL aborts one of them (deadlock_detected).
@Suite("Transaction conflicts")
struct TransactionConflictTests {
    /// Runs two opposite-order transactions at once; each waits, on its first attempt only, until both hold their
    /// first row, so they deadlock. Returns how many times the bodies ran and what each transaction ended with.
    private static func collide(
        _ database: Database, retrying: Bool
    ) async throws -> (runs: Int, outcomes: [Result<Void, any Error>]) {
        let holding = Tally(), runs = Tally()
        let table = "\(database.schema).pair"
        return try await withThrowingTaskGroup(of: Result<Void, any Error>.self) { group in
            for (first, second) in [(1, 2), (2, 1)] {
                group.addTask {
                    var attempt = 0
                    let body: (Transaction) async throws -> Void = { transaction in
                        attempt += 1
                        await runs.add(deliveries: 1, redelivered: 0, applied: 0)
                        try await transaction.query("UPDATE \(unescaped: table) SET n = n + 1 WHERE id = \(first)")
                        if attempt == 1 {
                            await holding.add(deliveries: 1, redelivered: 0, applied: 0)
                            while await holding.deliveries < 2 { try await Task.sleep(for: .milliseconds(10)) }
                        }
                        try await transaction.query("UPDATE \(unescaped: table) SET n = n + 1 WHERE id = \(second)")
                    }
                    do {
                        if retrying {
                            try await database.withTransaction(retryingConflicts: 3, body)
                        } else {
                            try await database.withTransaction(body)
                        }
                        return .success(())
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var outcomes: [Result<Void, any Error>] = []
            for try await outcome in group { outcomes.append(outcome) }
            return (await runs.deliveries, outcomes)
        }
    }

    @Test("a deadlock aborts one transaction as a conflict; with retryingConflicts it runs again and both commit once")
    func deadlockRunsAgain() async throws {
        try await withPostgres { client in
            let database = try await makeSchema(
                client, prefix: "conflict", extraSQL: "CREATE TABLE SCHEMA.pair (id int PRIMARY KEY, n int NOT NULL DEFAULT 0); INSERT INTO SCHEMA.pair (id) VALUES (1), (2);")
            let table = "\(database.schema).pair"

            let plain = try await Self.collide(database, retrying: false)
            let failures = plain.outcomes.compactMap { outcome -> (any Error)? in
                if case .failure(let error) = outcome { return error }
                return nil
            }
            #expect(plain.runs == 2)
            #expect(failures.count == 1)
            #expect((failures.first as? PSQLError)?.isTransactionConflict == true)

            let retried = try await Self.collide(database, retrying: true)
            #expect(retried.runs == 3, "the aborted one ran a second time")
            #expect(retried.outcomes.allSatisfy { if case .success = $0 { true } else { false } })
            // One commit from the first round, two from the second, each adding 1 to both rows.
            let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT sum(n)::int FROM \(table)"))
            var total = 0
            for try await value in rows.decode(Int.self) { total = value }
            #expect(total == 6)
        }
    }
}

@Suite("Inbox lock order")
struct InboxLockOrderTests {
    /// Another transaction holds the lower of two events and then takes the higher; the batch carries both, the
    /// higher first, and one fresh event. Claimed in delivery order, the batch would hold the higher while waiting
    /// for the lower: a deadlock. Claimed in id order, it waits holding nothing the other needs.
    @Test("an inbox batch claims its events in id order, so meeting another transaction on them is a wait, not a deadlock")
    func batchClaimsInIDOrder() async throws {
        try await withPostgres { client in
            let effects = try await Effects.make(client, prefix: "inbox_order")
            let database = effects.database
            let envelopes = try numberedEnvelopes(0..<3, routingKey: "it.inbox-order")
            let shared = envelopes[0..<2].sorted { $0.header.id.uuid.uuidString < $1.header.id.uuid.uuidString }
            let (lower, higher, fresh) = (shared[0], shared[1], envelopes[2])
            // No retry: a deadlock would surface as the batch's error instead of being run again.
            let inbox = Inbox(database: database, consumer: "effects", conflictAttempts: 1)
            let inboxTable = "\(database.schema).inbox"

            let applied = try await database.withTransaction { transaction in
                try await transaction.query(
                    "INSERT INTO \(unescaped: inboxTable) (event_id, consumer) VALUES (\(lower.header.id.uuid), 'effects')")
                let batch = Task { try await inbox.handleBatch([higher, fresh, lower], handler: effects.record(_:)) }
                try await eventually("the batch waits on the lower event") {
                    try await database.count(
                        """
                        SELECT count(*)::int FROM pg_stat_activity
                        WHERE wait_event_type = 'Lock' AND query LIKE '%\(database.schema.rawValue).inbox%'
                        """) == 1
                }
                try await transaction.query(
                    "INSERT INTO \(unescaped: inboxTable) (event_id, consumer) VALUES (\(higher.header.id.uuid), 'effects')")
                return batch
            }.value

            #expect(applied == 1, "only the fresh event was new to the batch")
            #expect(try await effects.count() == 1)
            #expect(try await database.count("SELECT count(*)::int FROM SCHEMA.inbox") == 3)
        }
    }
}

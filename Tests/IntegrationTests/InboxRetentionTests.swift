import Contracts
import PostgresNIO
import Storage
import Testing

@Suite("Inbox retention")
struct InboxRetentionTests {
    @Test("pruning deletes the inbox rows older than the retention, in chunks, and keeps the rest: their duplicates are still skipped")
    func pruneKeepsTheRetentionWindow() async throws {
        try await withPostgres { client in
            let effects = try await Effects.make(client, prefix: "it_retention")
            let database = effects.database
            let inbox = Inbox(database: database, consumer: "effects")
            let old = try numberedEnvelopes(0..<25, routingKey: "it.retention")
            let recent = try numberedEnvelopes(25..<30, routingKey: "it.retention")
            #expect(try await inbox.handleBatch(old + recent, handler: effects.record(_:)) == 30)
            let oldIDs = old.map(\.header.id.uuid)
            try await database.query(
                "UPDATE \(unescaped: database.schema.rawValue).inbox SET received_at = now() - interval '31 days' WHERE event_id = ANY(\(oldIDs))")

            // Chunks of 10: three statements for 25 rows.
            #expect(try await Inbox.prune(database, olderThan: .seconds(30 * 86_400), chunk: 10) == 25)
            #expect(try await database.count("SELECT count(*) FROM SCHEMA.inbox") == 5)
            #expect(try await Inbox.prune(database, olderThan: .seconds(30 * 86_400), chunk: 10) == 0)
            // Inside the window a redelivery is still recognised.
            #expect(try await inbox.handleBatch(recent, handler: effects.record(_:)) == 0)
            #expect(try await effects.count() == 30)
        }
    }

    @Test("pruning keeps the inbox rows of events that wait in dead_letters: a late replay of one is still recognised")
    func pruneKeepsDeadLetteredEvents() async throws {
        try await withPostgres { client in
            let effects = try await DeadLetterTests.schema(client, prefix: "it_retention_dead")
            let database = effects.database
            let schema = database.schema.rawValue
            let inbox = Inbox(database: database, consumer: "effects")
            let events = try numberedEnvelopes(0..<6, routingKey: "it.retention")
            #expect(try await inbox.handleBatch(events, handler: effects.record(_:)) == 6)
            try await database.query("UPDATE \(unescaped: schema).inbox SET received_at = now() - interval '31 days'")
            // A second copy of two of them was parked (say, published twice and consumed once before a failure).
            for event in events.prefix(2) {
                try await database.query(
                    """
                    INSERT INTO \(unescaped: schema).dead_letters (queue, event_id, body)
                    VALUES ('it.retention', \(event.header.id.uuid), '\\x00'::bytea)
                    """)
            }

            #expect(try await Inbox.prune(database, olderThan: .seconds(30 * 86_400), chunk: 1) == 4)
            #expect(try await database.count("SELECT count(*) FROM SCHEMA.inbox") == 2)
            // Replayed a month later, the parked copies change nothing.
            #expect(try await inbox.handleBatch(Array(events.prefix(2)), handler: effects.record(_:)) == 0)
            #expect(try await effects.count() == 6)
        }
    }
}

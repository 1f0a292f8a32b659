import Contracts
import Messaging
import PostgresNIO
import Storage

/// A consumer's schema with an `effects` table: one row per applied `Numbered` event, without a unique key,
/// so a doubled effect shows up as a second row.
struct Effects: Sendable {
    let database: Database

    static func make(_ client: PostgresClient, prefix: String) async throws -> Effects {
        Effects(database: try await makeSchema(client, prefix: prefix, extraSQL: "CREATE TABLE SCHEMA.effects (event_id uuid NOT NULL, sequence integer NOT NULL)"))
    }

    private var table: String { database.schema.rawValue + ".effects" }

    /// The per-event handler: one INSERT per event.
    func record(_ context: InboxContext) async throws {
        let event = try context.decode(Numbered.self)
        try await context.transaction.query(
            "INSERT INTO \(unescaped: table) (event_id, sequence) VALUES (\(event.id.uuid), \(event.data.sequence))")
    }

    /// The batch handler: one INSERT for the whole batch.
    func record(_ batch: InboxBatch) async throws {
        let events = try batch.decode(Numbered.self)
        try await batch.transaction.query(
            """
            INSERT INTO \(unescaped: table) (event_id, sequence)
            SELECT * FROM unnest(\(events.map(\.id.uuid))::uuid[], \(events.map(\.data.sequence))::int4[])
            """)
    }

    func count(_ sql: String = "SELECT count(*) FROM SCHEMA.effects") async throws -> Int { try await database.count(sql) }
}

/// A fresh quorum queue bound to its own routing key (`bindings[0]`), so tests never share messages.
func testQueue(_ prefix: String, deliveryLimit: Int = 10) -> QueueSpec {
    let name = TestEnvironment.uniqueName(prefix)
    return QueueSpec(name: "it.\(name)", bindings: ["it.\(name).numbered"], deliveryLimit: deliveryLimit, expiresAfter: .seconds(900))
}

import Foundation
import PostgresNIO
import Storage
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test("two instances applying the same migrations at once both start; each migration runs once")
    func concurrentReplicas() async throws {
        try await withPostgres { first in
            try await withPostgres { second in
                let (database, migrations) = try testSchema(first, prefix: "it_migrate", extraSQL: "CREATE TABLE SCHEMA.things (id int PRIMARY KEY)")
                let other = Database(client: second, schema: database.schema, logger: database.logger)
                async let a = MigrationRunner(database: database).apply(migrations)
                async let b = MigrationRunner(database: other).apply(migrations)
                let applied = try await [a, b]
                #expect(applied.flatMap { $0 }.sorted() == [1, 2, 3])
                #expect(applied.contains([]))
                #expect(try await database.count("SELECT count(*) FROM SCHEMA.schema_migrations") == 3)
                // A third start finds nothing to do.
                #expect(try await MigrationRunner(database: database).apply(migrations) == [])
            }
        }
    }
}

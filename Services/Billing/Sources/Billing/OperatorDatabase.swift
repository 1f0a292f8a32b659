import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Storage

/// What Billing's operator commands share: the service's own configuration and a small pool on its schema, open
/// for the length of `body`.
enum OperatorDatabase {
    static func with<Result: Sendable>(label: String, _ body: (Database) async throws -> Result) async throws -> Result {
        let logger = Logger(label: label)
        let configuration = try ServiceConfiguration.load(for: BillingService.identity)
        let client = PostgresClient(configuration: configuration.databaseURL.clientConfiguration(maximumConnections: 2), backgroundLogger: logger)
        let pool = Task { await client.run() }
        defer { pool.cancel() }
        return try await body(Database(client: client, schema: BillingService.identity.schema, logger: logger))
    }
}

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
        let client = PostgresClient(
            configuration: try TestEnvironment.databaseURL().clientConfiguration(maximumConnections: 4, settings: settings),
            backgroundLogger: TestEnvironment.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            // Several at once, so that more than one connection of the pool answers.
            return try await withThrowingTaskGroup(of: String.self) { queries in
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

    @Test("CallRouter's connections plan its statements once (plan_cache_mode), other services' as PostgreSQL chooses")
    func planCacheModeReachesEveryConnection() async throws {
        let settings = CallRouterService.definition().databaseSettings
        #expect(settings == ["plan_cache_mode": "force_generic_plan"])
        #expect(try await Self.planCacheMode(settings: settings) == Array(repeating: "force_generic_plan", count: 4))
        #expect(try await Self.planCacheMode(settings: [:]) == Array(repeating: "auto", count: 4))
    }
}

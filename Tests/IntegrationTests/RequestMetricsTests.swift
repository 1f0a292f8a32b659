import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Metrics
import PostgresNIO
import Prometheus
import ServiceKit
import Testing

/// `/metrics` counts each request under the status it was answered with, also when the JSON error model turned a
/// database error into a client status (a unique violation is 409, a serialization failure 503).
@Suite("Request metrics")
struct RequestMetricsTests {
    /// The process's metrics backend: swift-metrics is bootstrapped once per process, and no other test does it.
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    static let secret = "test-secret-0123456789-0123456789-abcdef"

    @Test("a PostgreSQL unique violation answered 409 and a serialization failure answered 503 are counted as 409 and 503, not 500")
    func statusOfDatabaseErrors() async throws {
        let registry = Self.registry
        try await withPostgres { client in
            let components = ServiceComponents(authenticatedRoutes: { v1 in
                v1.post("metered/:state") { _, context -> String in
                    // PL/pgSQL raises the SQLSTATE asked for, as a real statement would.
                    let state = try context.parameters.require("state")
                    guard state.allSatisfy({ $0.isASCIIDigit || $0.isUppercase }), state.count == 5 else { throw APIError.badRequest("state", "x") }
                    // 54000 as an index too small for a text says so, as PostgreSQL does; the bare code is another limit.
                    let message = state == "54000" ? " USING MESSAGE = 'index row size 3016 exceeds btree version 4 maximum 2704'" : ""
                    try await client.query(PostgresQuery(unsafeSQL: "DO $$ BEGIN RAISE SQLSTATE '\(state)'\(message); END $$"))
                    return "never"
                }
            })
            let router = RouterBuilder.build(
                components: components, verifier: await TokenVerifier(secret: Self.secret), readiness: nil, metrics: registry, maxBodyBytes: 2_048)
            let token = try await TokenVerifier(secret: Self.secret).token(for: Identity(userID: UserID(), companyID: CompanyID(), role: .owner))
            try await Application(router: router).test(.router) { http in
                // 22021: text PostgreSQL cannot store (a NUL byte no edge check caught) is the client's, a 400; so is 54000,
                // a text too long for its index, a 422. A time or number out of range may be our own arithmetic: a 500.
                let cases: [(String, HTTPResponse.Status)] = [
                    ("23505", .conflict), ("40001", .serviceUnavailable), ("22021", .badRequest), ("54000", .unprocessableContent),
                    ("22008", .internalServerError),
                ]
                for (state, status) in cases {
                    try await http.execute(uri: "/v1/metered/\(state)", method: .post, headers: [.authorization: "Bearer \(token)"]) { response in
                        #expect(response.status == status)
                    }
                }
                try await http.execute(uri: "/metrics", method: .get) { response in
                    let lines = String(buffer: response.body).split(separator: "\n").filter {
                        $0.hasPrefix("hb_requests{") && $0.contains("/v1/metered/")
                    }
                    #expect(lines.count == 5, "\(lines)")
                    #expect(lines.contains { $0.contains(#"http_response_status_code="409""#) }, "\(lines)")
                    #expect(lines.contains { $0.contains(#"http_response_status_code="503""#) }, "\(lines)")
                    #expect(lines.contains { $0.contains(#"http_response_status_code="400""#) }, "\(lines)")
                    #expect(lines.contains { $0.contains(#"http_response_status_code="422""#) }, "\(lines)")
                    #expect(lines.filter { $0.contains(#"http_response_status_code="500""#) }.count == 1, "\(lines)")
                }
            }
        }
    }
}

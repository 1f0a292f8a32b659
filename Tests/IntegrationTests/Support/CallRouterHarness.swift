import CallRouter
import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Storage
import Testing

/// Real CallRouter services (`ServiceHost.run`, any number of replicas on one database) and clients for them: people
/// with JWTs and the switch with its token. Tests keep apart by using fresh companies and numbers.
struct CallRouterHarness: Sendable {
    let replicas: [ServiceClient]
    let database: Database

    static let switchToken = "it-switch-token"

    var api: ServiceClient { replicas[0] }

    func call(_ method: String, _ path: String, as company: CompanyID, user: UserID = UserID(), role: Role = .owner, json: String? = nil) async throws -> ServiceClient.Reply {
        try await api.call(method, path, as: company, user: user, role: role, json: json)
    }

    /// A request from the switch, to replica `replica` (any replica may serve any call).
    func switchCall(_ path: String, json: String, replica: Int = 0) async throws -> ServiceClient.Reply {
        try await replicas[replica % replicas.count].call("POST", path, json: json, headers: ["X-Switch-Token": Self.switchToken])
    }

    /// A request from the switch that must be answered 200, and its answer.
    func switchAnswer(_ path: String, json: String, replica: Int) async throws -> [String: Any] {
        let reply = try await switchCall(path, json: json, replica: replica)
        try #require(reply.status == 200, "POST \(path): \(reply.status) \(reply.text)")
        return try reply.json()
    }

    /// The agents the first `dial` instruction of a switch answer rings, by user id.
    static func dialled(_ answer: [String: Any]) -> [String]? {
        let dial = (answer["instructions"] as? [[String: Any]])?.first { $0["type"] as? String == "dial" }
        return (dial?["agents"] as? [[String: Any]])?.compactMap { $0["user_id"] as? String }
    }

    /// A company's users, departments, flow and numbers, created through the API (`json` bodies), returning ids.
    func create(_ path: String, as company: CompanyID, json: String) async throws -> [String: any Sendable] {
        let reply = try await call("POST", path, as: company, json: json)
        try #require(reply.status == 201, "POST \(path): \(reply.status) \(reply.text)")
        return try reply.json()
    }

    func count(_ sql: String) async throws -> Int { try await database.count(sql) }

    /// What `billing.did.activated` leaves in CallRouter's projection: `company` rents `number` (BI-19), so it may
    /// register it. Tests of CallRouter alone use this instead of buying through Billing.
    func rent(_ number: String, to company: CompanyID) async throws {
        try await database.client.query(
            """
            INSERT INTO callrouter.rented_numbers (number, company_id, active, changed_at) VALUES (\(number), \(company.uuid), true, now())
            ON CONFLICT (number) DO UPDATE SET company_id = excluded.company_id, active = true, changed_at = now()
            """)
    }

    /// `rent`, then `POST /v1/dids` with `json`.
    func createNumber(_ number: String, as company: CompanyID, json: String) async throws {
        try await rent(number, to: company)
        _ = try await create("/v1/dids", as: company, json: json)
    }
}

/// Runs `replicas` CallRouter services for `body`, then stops them.
func withCallRouter(
    replicas count: Int = 1, environment extra: [String: String] = [:], _ body: @Sendable (CallRouterHarness) async throws -> Void
) async throws {
    let ports = (0..<count).map { _ in TestEnvironment.listenPort() }
    var configurations: [ServiceConfiguration] = []
    for port in ports {
        configurations.append(
            try ServiceConfiguration.load(
                for: CallRouterService.identity,
                environment: [
                    "MYOP_DATABASE_URL": TestEnvironment.databaseURLText,
                    "MYOP_AMQP_URL": TestEnvironment.amqpURLText,
                    "MYOP_HTTP_PORT": "\(port)",
                    CallRouterService.switchTokenVariable: CallRouterHarness.switchToken,
                ].merging(extra) { _, new in new }))
    }
    let fixed = configurations
    try await withPostgres { client in
        let harness = CallRouterHarness(
            replicas: zip(ports, fixed).map { ServiceClient(base: URL(string: "http://127.0.0.1:\($0)")!, jwtSecret: $1.jwtSecret) },
            database: Database(client: client, schema: SchemaName("callrouter")!, logger: TestEnvironment.logger))
        let servers = zip(harness.replicas, fixed).enumerated().map { index, replica in
            TestServer.service("call-router \(index)", CallRouterService.definition(), replica.1, at: replica.0.base)
        }
        try await withServers(servers) { try await body(harness) }
    }
}

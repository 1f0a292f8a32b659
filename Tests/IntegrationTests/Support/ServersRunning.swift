import Foundation
import ServiceKit
import Testing

/// A server a test runs until it is done with it: a service (`ServiceHost.run`) or an in-test provider.
struct TestServer: Sendable {
    let name: String
    /// Where `/readyz` answers 200 once the server serves; nil for a server that has no readiness endpoint.
    let readiness: URL?
    let run: @Sendable () async throws -> Void

    /// A real service (`ServiceHost.run`) that answers `/readyz` at `base`.
    static func service(_ name: String, _ definition: ServiceDefinition, _ configuration: ServiceConfiguration, at base: URL) -> TestServer {
        TestServer(name: name, readiness: base) {
            try await ServiceHost.run(definition, configuration: configuration, metrics: nil, logger: TestEnvironment.logger)
        }
    }
}

/// Runs `servers` for `body`, which starts once each of them with a readiness endpoint answers 200, then stops them.
///
/// A server that ends before then (its port taken, the database refusing connections) fails the test at once with its
/// own error. Otherwise its task would hold the error unseen and the wait could only time out, saying nothing of why.
func withServers(_ servers: [TestServer], readyWithin timeout: Duration = .seconds(60), _ body: () async throws -> Void) async throws {
    let exits = ServerExits()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for server in servers {
            group.addTask {
                do {
                    try await server.run()
                    await exits.record("\(server.name) stopped by itself")
                } catch {
                    await exits.record("\(server.name) failed: \(String(reflecting: error))")
                    throw error
                }
            }
        }
        defer { group.cancelAll() }
        func failIfAnyEnded() async throws {
            if let exit = await exits.first {
                Issue.record(Comment(rawValue: exit))
                throw CancellationError()
            }
        }
        for server in servers {
            guard let readiness = server.readiness else { continue }
            let probe = ServiceClient(base: readiness, jwtSecret: "")
            var last = "no answer"
            try await eventually(timeout: timeout, "\(server.name) not ready within \(timeout); last /readyz: \(last)") {
                try await failIfAnyEnded()
                guard let reply = try? await probe.call("GET", "/readyz") else { return false }
                last = "\(reply.status) \(reply.text)"
                return reply.status == 200
            }
        }
        // A server without a readiness endpoint that could not even bind has ended by now, most likely.
        try await failIfAnyEnded()
        try await body()
    }
}

/// The first way any server of `withServers` ended on its own.
private actor ServerExits {
    private(set) var first: String?

    func record(_ exit: String) {
        if first == nil { first = exit }
    }
}

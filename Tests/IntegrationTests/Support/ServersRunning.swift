import Foundation
import ServiceKit
import ServiceLifecycle
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

/// Runs `servers` for `body`, which starts once each of them with a readiness endpoint answers 200, then stops them
/// gracefully, in reverse order: list a provider before the service that calls it.
///
/// A server that ends before then (its port taken, the database refusing connections) fails the test at once with its
/// own error. Otherwise its task would hold the error unseen and the wait could only time out, saying nothing of why.
///
/// Stopping is graceful because cancelling a Hummingbird server that has accepted a connection it has not served yet
/// can trap in NIO (swift-nio#3481, "Deinited NIOAsyncWriter without calling finish()") and end the whole test run.
/// A server that has not stopped within ten seconds is cancelled all the same.
func withServers(_ servers: [TestServer], readyWithin timeout: Duration = .seconds(60), _ body: () async throws -> Void) async throws {
    let exits = ServerExits()
    var configuration = ServiceGroupConfiguration(
        services: servers.map { .init(service: ExitRecordingServer(server: $0, exits: exits)) }, logger: TestEnvironment.logger)
    configuration.maximumGracefulShutdownDuration = .seconds(10)
    let serviceGroup = ServiceGroup(configuration: configuration)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await serviceGroup.run() }
        func failIfAnyEnded() async throws {
            if let exit = await exits.first {
                Issue.record(Comment(rawValue: exit))
                throw CancellationError()
            }
        }
        do {
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
        } catch {
            await serviceGroup.triggerGracefulShutdown()
            // The servers' own errors were recorded; the test fails with the body's.
            try? await group.waitForAll()
            throw error
        }
        await serviceGroup.triggerGracefulShutdown()
        try await group.waitForAll()
    }
}

/// A test server as a `Service`, recording how it ended when it ends on its own.
private struct ExitRecordingServer: Service {
    let server: TestServer
    let exits: ServerExits

    func run() async throws {
        do {
            try await server.run()
            // Ending on the group's request to stop is expected; only an end before it is news.
            if !Task.isShuttingDownGracefully { await exits.record("\(server.name) stopped by itself") }
        } catch {
            await exits.record("\(server.name) failed: \(String(reflecting: error))")
            throw error
        }
    }
}

/// The first way any server of `withServers` ended on its own.
private actor ServerExits {
    private(set) var first: String?

    func record(_ exit: String) {
        if first == nil { first = exit }
    }
}

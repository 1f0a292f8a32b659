import Foundation
import Logging
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
/// A server that ends on its own (its port taken, the database refusing connections, a crash during `body`) fails the
/// test with its own error, named; before `body`, at once. Otherwise its task would hold the error unseen and the wait
/// could only time out, saying nothing of why. The others are then stopped gracefully all the same.
///
/// Stopping is graceful because cancelling a Hummingbird server that has accepted a connection it has not served yet
/// can trap in NIO (swift-nio#3481, "Deinited NIOAsyncWriter without calling finish()") and end the whole test run.
/// Servers not all stopped within `stopWithin` of the request are cancelled, with a warning in the log.
func withServers(
    _ servers: [TestServer], readyWithin timeout: Duration = .seconds(60), stopWithin bound: Duration = .seconds(10),
    _ body: () async throws -> Void
) async throws {
    let exits = ServerExits()
    var configuration = ServiceGroupConfiguration(
        services: servers.map {
            .init(
                service: ExitRecordingServer(server: $0, exits: exits), successTerminationBehavior: .gracefullyShutdownGroup,
                failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: $0.name)
        },
        logger: TestEnvironment.logger)
    configuration.maximumGracefulShutdownDuration = bound
    let serviceGroup = ServiceGroup(configuration: configuration)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await serviceGroup.run() }
        func failIfAnyEnded() async throws {
            if await exits.reportFirst() { throw CancellationError() }
        }
        var failure: (any Error)?
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
            failure = error
        }
        let stopping = ContinuousClock.now
        await serviceGroup.triggerGracefulShutdown()
        // The group's error is a server's, recorded with its name in `exits`.
        try? await group.waitForAll()
        if ContinuousClock.now - stopping >= bound {
            TestEnvironment.logger.warning("test servers not all stopped within \(bound); the rest were cancelled", metadata: ["servers": "\(servers.map(\.name))"])
        }
        await exits.reportFirst()
        if let failure { throw failure }
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
            if !Task.isShuttingDownGracefully && !Task.isCancelled { await exits.record("\(server.name) stopped by itself") }
        } catch {
            // Cancelled by the test (the stop took too long, or the test itself was cancelled): not the server's fault.
            if !Task.isCancelled { await exits.record("\(server.name) failed: \(String(reflecting: error))") }
            throw error
        }
    }
}

/// The first way any server of `withServers` ended on its own.
private actor ServerExits {
    private var first: String?
    private var reported = false

    func record(_ exit: String) {
        if first == nil { first = exit }
    }

    /// Fails the test with the first exit, once, where it is first noticed; answers whether there was one to report.
    @discardableResult
    func reportFirst() -> Bool {
        guard !reported, let first else { return false }
        reported = true
        Issue.record(Comment(rawValue: first))
        return true
    }
}

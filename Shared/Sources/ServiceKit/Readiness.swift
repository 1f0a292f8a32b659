import Foundation
public import Messaging
public import Storage
import Synchronization

/// `/readyz`: the database answers a query within two seconds and every broker connection is up.
public struct Readiness: Sendable {
    public struct Report: Codable, Sendable {
        public var status: String
        public var database: String
        public var broker: String
    }

    let ping: @Sendable () async throws -> Void
    let connections: [AMQPConnection]
    let limit: Duration
    /// How old a hung probe may get before checks stop joining it and start another.
    let replaceAfter: Duration
    private let probe = SharedProbe()

    public init(database: Database, connections: [AMQPConnection]) {
        self.init(ping: { try await database.ping() }, connections: connections)
    }

    init(
        ping: @escaping @Sendable () async throws -> Void, connections: [AMQPConnection], limit: Duration = .seconds(2),
        replaceAfter: Duration = .seconds(10)
    ) {
        self.ping = ping
        self.connections = connections
        self.limit = limit
        self.replaceAfter = replaceAfter
    }

    /// Answers within `limit` whatever the database does: a query on a black-holed connection does not end when its
    /// task is cancelled, so the check does not wait for it (a task group would), and later checks join the probe
    /// still in flight instead of each holding one more pool connection.
    public func check() async -> Report {
        let answer = OneShot<Bool>()
        let running = probe.join(replacingAfter: replaceAfter) { [ping] in (try? await ping()) != nil }
        Task { answer.fulfill(.success(await running.value)) }
        let timer = Task { [limit] in
            try? await Task.sleep(for: limit)
            answer.fulfill(.success(false))
        }
        let databaseUp = (try? await answer.value()) ?? false
        timer.cancel()
        let brokerUp = connections.allSatisfy(\.isConnected)
        return Report(
            status: databaseUp && brokerUp ? "ready" : "not_ready", database: databaseUp ? "up" : "down", broker: brokerUp ? "up" : "down")
    }
}

/// One database probe at a time, shared by the checks that arrive while it runs. A probe hung longer than
/// `replacingAfter` is left to itself and a new one started, so that once the database is back (a failover to a new
/// address) readiness follows within that time instead of waiting for the old connection's TCP to give up; at most
/// one probe per that interval can hang.
private final class SharedProbe: Sendable {
    private struct Running {
        let id: UInt64
        let task: Task<Bool, Never>
        let started: ContinuousClock.Instant
    }

    private struct State {
        var running: Running?
        var lastID: UInt64 = 0
    }

    private let state = Mutex(State())

    func join(replacingAfter age: Duration, _ start: @escaping @Sendable () async -> Bool) -> Task<Bool, Never> {
        state.withLock { state in
            if let current = state.running, current.started.duration(to: .now) < age { return current.task }
            state.lastID += 1
            let id = state.lastID
            let task = Task {
                let answer = await start()
                // Taken after `join` stored the probe (the lock is held until then); a newer probe stays.
                self.state.withLock { state in
                    if state.running?.id == id { state.running = nil }
                }
                return answer
            }
            state.running = Running(id: id, task: task, started: .now)
            return task
        }
    }
}

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
    private let probe = SharedProbe()

    public init(database: Database, connections: [AMQPConnection]) {
        self.init(ping: { try await database.ping() }, connections: connections)
    }

    init(ping: @escaping @Sendable () async throws -> Void, connections: [AMQPConnection], limit: Duration = .seconds(2)) {
        self.ping = ping
        self.connections = connections
        self.limit = limit
    }

    /// Answers within `limit` whatever the database does: a query on a black-holed connection does not end when its
    /// task is cancelled, so the check does not wait for it (a task group would), and later checks join the probe
    /// still in flight instead of each holding one more pool connection.
    public func check() async -> Report {
        let answer = OneShot<Bool>()
        let running = probe.join { [ping] in (try? await ping()) != nil }
        Task { answer.fulfill(.success(await running.value)) }
        Task { [limit] in
            try? await Task.sleep(for: limit)
            answer.fulfill(.success(false))
        }
        let databaseUp = (try? await answer.value()) ?? false
        let brokerUp = connections.allSatisfy(\.isConnected)
        return Report(
            status: databaseUp && brokerUp ? "ready" : "not_ready", database: databaseUp ? "up" : "down", broker: brokerUp ? "up" : "down")
    }
}

/// At most one database probe at a time, shared by the checks that arrive while it runs.
private final class SharedProbe: Sendable {
    private let running = Mutex<Task<Bool, Never>?>(nil)

    func join(_ start: @escaping @Sendable () async -> Bool) -> Task<Bool, Never> {
        running.withLock { running in
            if let task = running { return task }
            let task = Task {
                let answer = await start()
                // Taken after `join` stored the task: the lock is held until then.
                self.running.withLock { $0 = nil }
                return answer
            }
            running = task
            return task
        }
    }
}

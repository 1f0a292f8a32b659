import Foundation
public import Messaging
public import Storage

/// `/readyz`: the database answers a query within two seconds and every broker connection is up.
public struct Readiness: Sendable {
    public struct Report: Codable, Sendable {
        public var status: String
        public var database: String
        public var broker: String
    }

    let database: Database
    let connections: [AMQPConnection]

    public init(database: Database, connections: [AMQPConnection]) {
        self.database = database
        self.connections = connections
    }

    public func check() async -> Report {
        let databaseUp = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await database.ping()) != nil }
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        let brokerUp = connections.allSatisfy(\.isConnected)
        return Report(
            status: databaseUp && brokerUp ? "ready" : "not_ready", database: databaseUp ? "up" : "down", broker: brokerUp ? "up" : "down")
    }
}

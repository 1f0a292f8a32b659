import Foundation
public import PostgresNIO

/// `postgres://user:password@host:5432/database?sslmode=require`, turned into a `PostgresClient` configuration.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var requireTLS: Bool

    public init?(_ text: String) {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql", let host = components.host, !host.isEmpty,
            let user = components.percentEncodedUser?.removingPercentEncoding, !user.isEmpty
        else { return nil }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user
        self.password = components.percentEncodedPassword?.removingPercentEncoding
        let name = String(components.percentEncodedPath.dropFirst()).removingPercentEncoding ?? ""
        self.database = name.isEmpty ? user : name
        let sslmode = components.queryItems?.first { $0.name == "sslmode" }?.value
        self.requireTLS = sslmode == "require" || sslmode == "verify-full"
    }

    /// The URL without its password, for logs.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// `settings` are sent as startup parameters: PostgreSQL applies them to the session before its first statement.
    public func clientConfiguration(maximumConnections: Int = 20, settings: [String: String] = [:]) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database,
            tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.additionalStartupParameters = settings.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return configuration
    }
}

import Foundation
public import PostgresNIO

/// `postgres://user:password@host:5432/database?sslmode=require`, turned into a `PostgresClient` configuration.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// libpq's `sslmode` values. `allow` and `prefer` try TLS and fall back to plain text; `require`, `verify-ca` and
    /// `verify-full` all verify the server's certificate and host name here (stricter than libpq's `require`).
    public enum TLSMode: String, Sendable {
        case disable, prefer, require

        init?(sslmode: String?) {
            switch sslmode {
            case nil, "disable": self = .disable
            case "allow", "prefer": self = .prefer
            case "require", "verify-ca", "verify-full": self = .require
            default: return nil
            }
        }
    }

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
        // An unknown mode (a typo, `REQUIRE`) is refused rather than read as "no TLS".
        guard let tls = TLSMode(sslmode: components.queryItems?.first { $0.name == "sslmode" }?.value) else { return nil }
        self.tls = tls
    }

    /// The URL without its password, for logs.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// `settings` are sent as startup parameters: PostgreSQL applies them to the session before its first statement.
    public func clientConfiguration(maximumConnections: Int = 20, settings: [String: String] = [:]) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database,
            tls: {
                switch tls {
                case .disable: .disable
                case .prefer: .prefer(.makeClientConfiguration())
                case .require: .require(.makeClientConfiguration())
                }
            }())
        configuration.options.maximumConnections = maximumConnections
        configuration.options.additionalStartupParameters = settings.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return configuration
    }
}

import Foundation
import NIOSSL
public import PostgresNIO

/// `postgres://user:password@host:5432/database?sslmode=require`, turned into a `PostgresClient` configuration.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// `sslrootcert`: a PEM file of the certificate authorities to trust instead of the system's (a private CA, a
    /// cloud provider's database CA).
    public var rootCertificatePath: String?

    /// libpq's `sslmode` values, with libpq's meaning: `allow` and `prefer` use TLS when the server offers it, and
    /// `require` insists on it, all three without checking the certificate; `verify-ca` checks the certificate's chain
    /// and `verify-full` its host name too.
    public enum TLSMode: Sendable {
        case disable, prefer, require, verifyCA, verifyFull

        init?(sslmode: String?) {
            switch sslmode {
            case nil, "disable": self = .disable
            case "allow", "prefer": self = .prefer
            case "require": self = .require
            case "verify-ca": self = .verifyCA
            case "verify-full": self = .verifyFull
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
        self.rootCertificatePath = components.queryItems?.first { $0.name == "sslrootcert" }?.value.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// What `sslmode` asks of the server's certificate.
    var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tls {
        case .disable, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let rootCertificatePath { configuration.trustRoots = .file(rootCertificatePath) }
        return configuration
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
                case .prefer: .prefer(tlsConfiguration)
                case .require, .verifyCA, .verifyFull: .require(tlsConfiguration)
                }
            }())
        configuration.options.maximumConnections = maximumConnections
        configuration.options.additionalStartupParameters = settings.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return configuration
    }
}

public import Foundation
public import Logging
public import Messaging
public import Storage

/// Everything a service reads from its environment. Every variable has a default that matches `scripts/dev`,
/// so a bare `swift run call-router` works against the local stack; in `MYOP_ENV=production` the secrets
/// have no default and a missing one stops the start with a message naming it.
public struct ServiceConfiguration: Sendable {
    public var environment: DeploymentEnvironment
    public var httpHost: String
    public var httpPort: Int
    public var amqpURL: AMQPURL
    public var databaseURL: DatabaseURL
    public var databaseMaxConnections: Int
    /// The longest one statement may run; zero for no limit.
    public var databaseStatementTimeout: Duration
    /// The longest a session may sit in an open transaction between statements; zero for no limit.
    public var databaseIdleInTransactionTimeout: Duration
    public var jwtSecret: String
    public var logLevel: Logger.Level
    public var prefetch: UInt16
    public var consumerConcurrency: Int
    public var consumerBatchSize: Int
    public var relayBatchSize: Int
    /// How long a consumed event's inbox row is kept to recognise a redelivery or a republish of it.
    public var inboxRetention: Duration
    public var maxBodyBytes: Int
    public var sandboxURL: String
    public var amqpCACertificate: String?
    /// The raw environment, for the variables only one service reads (see `secret(_:devDefault:)`).
    public var values: [String: String] = [:]

    public static let devAMQPURL = "amqp://guest:guest@127.0.0.1:56720"
    public static let devDatabaseHost = "127.0.0.1:55432"
    public static let devJWTSecret = "myop-dev-secret-not-for-production"

    public static func load(
        for service: ServiceIdentity, environment env: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ServiceConfiguration {
        let reader = EnvironmentReader(values: env)
        let environmentText = reader.string("MYOP_ENV", default: DeploymentEnvironment.dev.rawValue)
        guard let environment = DeploymentEnvironment(rawValue: environmentText) else {
            throw ConfigurationError(variable: "MYOP_ENV", message: "must be dev or production, got \(environmentText)")
        }
        let production = environment == .production
        let databaseText = try reader.required(
            "MYOP_DATABASE_URL", devDefault: production ? nil : "postgres://myop_\(service.schema)@\(devDatabaseHost)/myop")
        guard let databaseURL = DatabaseURL(databaseText) else {
            throw ConfigurationError(variable: "MYOP_DATABASE_URL", message: "must look like postgres://user:password@host:5432/database, with sslmode (if any) disable, allow, prefer, require, verify-ca or verify-full")
        }
        let amqpText = try reader.required("MYOP_AMQP_URL", devDefault: production ? nil : devAMQPURL)
        guard let amqpURL = AMQPURL(amqpText) else {
            throw ConfigurationError(variable: "MYOP_AMQP_URL", message: "must look like amqp://user:password@host:5672/vhost")
        }
        let jwtSecret = try reader.required("MYOP_JWT_SECRET", devDefault: production ? nil : devJWTSecret)
        if production && jwtSecret == devJWTSecret {
            throw ConfigurationError(variable: "MYOP_JWT_SECRET", message: "must not be the published development secret when MYOP_ENV=production")
        }
        guard jwtSecret.utf8.count >= TokenVerifier.minimumSecretBytes else {
            throw ConfigurationError(variable: "MYOP_JWT_SECRET", message: "must be at least \(TokenVerifier.minimumSecretBytes) bytes (HS256 key)")
        }
        let levelText = reader.string("MYOP_LOG_LEVEL", default: "info")
        guard let logLevel = Logger.Level(rawValue: levelText) else {
            throw ConfigurationError(variable: "MYOP_LOG_LEVEL", message: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        return ServiceConfiguration(
            environment: environment,
            httpHost: reader.string("MYOP_HTTP_HOST", default: "127.0.0.1"),
            httpPort: try reader.int("MYOP_HTTP_PORT", default: service.defaultPort, range: 1...65_535),
            amqpURL: amqpURL,
            databaseURL: databaseURL,
            databaseMaxConnections: try reader.int("MYOP_DATABASE_MAX_CONNECTIONS", default: 20, range: 2...500),
            // Floors: exports run statements of several seconds, and a few paths keep a transaction open across a call
            // to the broker (confirms, up to 10 s) or to Billing (up to about 25 s).
            databaseStatementTimeout: .seconds(try reader.limit("MYOP_DATABASE_STATEMENT_TIMEOUT_SECONDS", default: 60, floor: 10)),
            databaseIdleInTransactionTimeout: .seconds(try reader.limit("MYOP_DATABASE_IDLE_IN_TRANSACTION_SECONDS", default: 30, floor: 30)),
            jwtSecret: jwtSecret,
            logLevel: logLevel,
            prefetch: UInt16(try reader.int("MYOP_AMQP_PREFETCH", default: service.consumerDefaults.prefetch, range: 1...10_000)),
            consumerConcurrency: try reader.int("MYOP_CONSUMER_CONCURRENCY", default: service.consumerDefaults.concurrency, range: 1...64),
            consumerBatchSize: try reader.int("MYOP_CONSUMER_BATCH_SIZE", default: service.consumerDefaults.batchSize, range: 1...5_000),
            relayBatchSize: try reader.int("MYOP_RELAY_BATCH_SIZE", default: 1_000, range: 1...10_000),
            inboxRetention: .seconds(86_400 * (try reader.int("MYOP_INBOX_RETENTION_DAYS", default: 30, range: 1...3_650))),
            maxBodyBytes: try reader.int("MYOP_MAX_BODY_BYTES", default: service.maxBodyBytes, range: 1_024...(64 << 20)),
            sandboxURL: reader.string("MYOP_SANDBOX_URL", default: "http://127.0.0.1:8090"),
            amqpCACertificate: env["MYOP_AMQP_CA_CERTIFICATE"], values: env)
    }

    /// The limits every pooled session gets from PostgreSQL itself (startup parameters). A replica that hangs while
    /// holding a transaction (an account's row lock, a claimed outbox batch) would otherwise stall every other replica
    /// waiting on those locks for as long as it hangs; PostgreSQL ends such a session and rolls its work back, and the
    /// unacknowledged deliveries are redelivered. A statement stuck in a lock wait, or a runaway query, fails instead of
    /// holding its consumer's batch forever.
    public var databaseSessionSettings: [String: String] {
        [
            "statement_timeout": "\(databaseStatementTimeout.components.seconds * 1_000)",
            "idle_in_transaction_session_timeout": "\(databaseIdleInTransactionTimeout.components.seconds * 1_000)",
        ]
    }

    /// A service's own whole-number setting within `range`; outside it the service does not start, rather than run on a
    /// value that overflows a deadline or a date later.
    public func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        try EnvironmentReader(values: values).int(name, default: value, range: range)
    }

    /// The address of a service's peer or provider (the payment gateway, the WhatsApp Cloud API, Billing): required
    /// when `MYOP_ENV=production`, where a loopback dev default would send payments or messages nowhere; the dev
    /// default otherwise.
    public func url(_ name: String, devDefault: String) throws -> String {
        try EnvironmentReader(values: values).required(name, devDefault: environment == .production ? nil : devDefault)
    }

    /// A service's own secret: required when `MYOP_ENV=production`, and then never its published dev default; the
    /// dev default otherwise.
    public func secret(_ name: String, devDefault: String) throws -> String {
        let production = environment == .production
        let value = try EnvironmentReader(values: values).required(name, devDefault: production ? nil : devDefault)
        if production && value == devDefault {
            throw ConfigurationError(variable: name, message: "must not be the published development value when MYOP_ENV=production")
        }
        return value
    }
}

/// `MYOP_ENV`. Anything else stops the start: a misspelt `production` (`prod`, `Production`) must not quietly run
/// with the dev defaults, whose secrets are published in this repository, and with the SSRF guard off.
public enum DeploymentEnvironment: String, Sendable {
    case dev, production
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let variable: String
    public let message: String
    public var description: String { "\(variable) \(message)" }

    public init(variable: String, message: String) {
        self.variable = variable
        self.message = message
    }
}

struct EnvironmentReader {
    let values: [String: String]

    func string(_ name: String, default value: String) -> String {
        guard let text = values[name], !text.isEmpty else { return value }
        return text
    }

    func required(_ name: String, devDefault: String?) throws -> String {
        if let text = values[name], !text.isEmpty { return text }
        guard let devDefault else { throw ConfigurationError(variable: name, message: "must be set when MYOP_ENV=production") }
        return devDefault
    }

    /// A limit in seconds: `0` for none, otherwise from `floor` to a day.
    func limit(_ name: String, default value: Int, floor: Int) throws -> Int {
        let seconds = try int(name, default: value, range: 0...86_400)
        guard seconds == 0 || seconds >= floor else {
            throw ConfigurationError(variable: name, message: "must be 0 (no limit) or from \(floor) to 86400 seconds, got \(seconds)")
        }
        return seconds
    }

    func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = values[name], !text.isEmpty else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw ConfigurationError(variable: name, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \(text)")
        }
        return number
    }
}

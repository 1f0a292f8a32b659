import ServiceKit
import Storage
import Testing

@Suite("Service configuration")
struct ServiceConfigurationTests {
    let service = ServiceIdentity(name: "test-service", schema: SchemaName("testservice")!, defaultPort: 8099)
    let production = [
        "MYOP_ENV": "production", "MYOP_DATABASE_URL": "postgres://u:p@db:5432/myop", "MYOP_AMQP_URL": "amqp://u:p@mq:5672/%2f",
        "MYOP_JWT_SECRET": String(repeating: "k", count: 40),
    ]

    @Test("an unknown MYOP_ENV stops the start instead of running with the published dev secrets")
    func misspeltEnvironmentIsRefused() throws {
        for misspelt in ["prod", "Production", "production ", "staging"] {
            var environment = production
            environment["MYOP_ENV"] = misspelt
            #expect(throws: ConfigurationError.self, "\(misspelt)") { try ServiceConfiguration.load(for: service, environment: environment) }
        }
        #expect(try ServiceConfiguration.load(for: service, environment: production).environment == .production)
        #expect(try ServiceConfiguration.load(for: service, environment: [:]).environment == .dev)
    }

    @Test("production refuses the dev JWT secret and the dev value of a service's own secret")
    func productionRefusesDevSecrets() throws {
        var environment = production
        environment["MYOP_JWT_SECRET"] = ServiceConfiguration.devJWTSecret
        let error = try #require(throws: ConfigurationError.self) { try ServiceConfiguration.load(for: service, environment: environment) }
        #expect(error.variable == "MYOP_JWT_SECRET")

        environment = production
        environment["MYOP_TEST_SECRET"] = "dev-value"
        let configuration = try ServiceConfiguration.load(for: service, environment: environment)
        #expect(throws: ConfigurationError.self) { try configuration.secret("MYOP_TEST_SECRET", devDefault: "dev-value") }
        #expect(throws: ConfigurationError.self) { try configuration.secret("MYOP_OTHER_SECRET", devDefault: "dev-value") }
        environment["MYOP_TEST_SECRET"] = "a-real-secret"
        #expect(try ServiceConfiguration.load(for: service, environment: environment).secret("MYOP_TEST_SECRET", devDefault: "dev-value") == "a-real-secret")
        #expect(try ServiceConfiguration.load(for: service, environment: [:]).secret("MYOP_TEST_SECRET", devDefault: "dev-value") == "dev-value")
    }

    @Test("production needs every peer's and provider's address set; dev falls back to the local one")
    func productionNeedsAddresses() throws {
        let configuration = try ServiceConfiguration.load(for: service, environment: production)
        let error = try #require(throws: ConfigurationError.self) { try configuration.url("MYOP_SANDBOX_URL", devDefault: "http://127.0.0.1:8090") }
        #expect(error.variable == "MYOP_SANDBOX_URL")
        var environment = production
        environment["MYOP_SANDBOX_URL"] = "https://payments.example.in"
        #expect(try ServiceConfiguration.load(for: service, environment: environment).url("MYOP_SANDBOX_URL", devDefault: "x") == "https://payments.example.in")
        #expect(try ServiceConfiguration.load(for: service, environment: [:]).url("MYOP_SANDBOX_URL", devDefault: "http://127.0.0.1:8090") == "http://127.0.0.1:8090")
    }
}

public import ServiceKit
import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Storage

/// Campaigns: WhatsApp numbers, templates, audiences and campaigns under tier quotas, single sends, the service
/// window and delivery statuses.
public enum CampaignsService {
    /// Audience uploads are up to 10 MB (D-13), so the body limit is a little above that.
    public static let identity = ServiceIdentity(
        name: "campaigns", schema: SchemaName("campaigns")!, defaultPort: 8082, maxBodyBytes: 11 << 20)

    /// Where the WhatsApp Cloud API is (`https://graph.facebook.com` in production; the sandbox by default).
    public static let cloudURLVariable = "MYOP_WHATSAPP_API_URL"
    public static let cloudVersionVariable = "MYOP_WHATSAPP_API_VERSION"
    public static let cloudTokenVariable = "MYOP_WHATSAPP_TOKEN"
    public static let devCloudToken = "myop-dev-whatsapp-token"
    /// Meta signs webhooks with the app secret (`X-Hub-Signature-256`).
    public static let appSecretVariable = "MYOP_WHATSAPP_APP_SECRET"
    public static let devAppSecret = "myop-dev-whatsapp-app-secret"
    public static let verifyTokenVariable = "MYOP_WHATSAPP_VERIFY_TOKEN"
    public static let devVerifyToken = "myop-dev-whatsapp-verify-token"
    public static let billingURLVariable = "MYOP_BILLING_URL"
    /// How often due campaigns are looked for (milliseconds, default 1000).
    public static let pollVariable = "MYOP_CAMPAIGN_POLL_MILLISECONDS"
    /// Send jobs handled at once per replica (default 4).
    public static let senderConcurrencyVariable = "MYOP_SENDER_CONCURRENCY"
    /// D-12: the tier limits, configurable.
    public static let tierVariables = ("MYOP_WHATSAPP_TIER1_LIMIT", "MYOP_WHATSAPP_TIER2_LIMIT", "MYOP_WHATSAPP_TIER3_LIMIT")

    public static func definition() -> ServiceDefinition {
        ServiceDefinition(
            identity: identity,
            migrationsDirectory: Bundle.module.url(forResource: "Migrations", withExtension: nil),
            queues: Subscriptions.queues
        ) { context in
            let configuration = context.configuration
            let values = configuration.values
            func number(_ name: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
                guard let text = values[name], !text.isEmpty else { return fallback }
                guard let value = Int(text), range.contains(value) else {
                    throw ConfigurationError(variable: name, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
                }
                return value
            }
            let limits = TierLimits(
                tier1: try number(tierVariables.0, 1_000, 1...10_000_000), tier2: try number(tierVariables.1, 10_000, 1...10_000_000),
                tier3: try number(tierVariables.2, 100_000, 1...10_000_000))
            // Every setting is read before the HTTP client exists: a client dropped without its shutdown traps.
            let accessToken = try configuration.secret(cloudTokenVariable, devDefault: devCloudToken)
            let appSecret = try configuration.secret(appSecretVariable, devDefault: devAppSecret)
            let verifyToken = try configuration.secret(verifyTokenVariable, devDefault: devVerifyToken)
            let interval = Duration.milliseconds(try number(pollVariable, 1_000, 10...60_000))
            let senderConcurrency = try number(senderConcurrencyVariable, 4, 1...64)
            let cloudURL = try configuration.url(cloudURLVariable, devDefault: "\(configuration.sandboxURL)/whatsapp")
            let billingURL = try configuration.url(billingURLVariable, devDefault: "http://127.0.0.1:8083")
            let http = HTTPClient(
                eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                configuration: .init(
                    timeout: .init(connect: .seconds(5), read: .seconds(15)),
                    connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)))
            let cloud = CloudAPIClient(
                http: http, baseURL: cloudURL,
                version: values[cloudVersionVariable].flatMap { $0.isEmpty ? nil : $0 } ?? "v21.0",
                accessToken: accessToken)
            let billing = BillingClient(
                http: http, baseURL: billingURL,
                tokens: await TokenVerifier(secret: configuration.jwtSecret))
            let database = context.database
            let outbox = context.outbox
            let closer = CampaignCloser(database: database, outbox: outbox, billing: billing, logger: context.logger)
            let sends = SingleSend(outbox: outbox, limits: limits)
            let balance = BalanceCheck(billing: billing)
            let sender = MessageSender(
                database: database, outbox: outbox, cloud: cloud, gates: RateGates(database: database), templates: TemplateCache(database: database),
                closer: closer, balance: LiveChatBalance(check: balance), logger: context.logger)
            let runner = CampaignRunner(
                database: database, outbox: outbox, billing: billing, cloud: cloud, closer: closer, limits: limits,
                interval: interval, logger: context.logger)
            let api = CampaignsAPI(database: database, outbox: outbox, billing: billing, cloud: cloud, sends: sends, limits: limits)
            let webhooks = WebhookAPI(
                database: database, outbox: outbox,
                appSecret: SymmetricKey(data: Data(appSecret.utf8)),
                verifyToken: verifyToken, autoReplies: AutoReplies(sends: sends, logger: context.logger), logger: context.logger)
            return ServiceComponents(
                consumers: [BillingStatus().consumer, SendRequests(sends: sends, balance: balance).consumer, CompanyTimeZones().consumer],
                workers: [
                    WorkerDefinition(queue: Subscriptions.dispatch, concurrency: senderConcurrency) { delivery in
                        try await sender.handle(delivery)
                    }
                ],
                authenticatedRoutes: { api.register($0) },
                publicRoutes: { router in
                    webhooks.register(router)
                    DocumentRoute.serve(router, path: "openapi.json", file: Bundle.module.url(forResource: "openapi", withExtension: "json"))
                },
                services: [HTTPClientService(client: http), runner])
        }
    }
}

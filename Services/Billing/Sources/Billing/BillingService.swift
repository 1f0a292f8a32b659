public import ServiceKit
import Crypto
import Foundation
import Storage

/// Billing: the prepaid wallet ledger, rating, suspension, reservations and invoices.
public enum BillingService {
    /// Rating is one bulk statement per batch on hot account rows: 250-event batches, two at a time, measured
    /// fastest (BENCHMARKS.md, `loadgen rate`).
    public static let identity = ServiceIdentity(
        name: "billing", schema: SchemaName("billing")!, defaultPort: 8083,
        consumerDefaults: ConsumerDefaults(prefetch: 500, batchSize: 250, concurrency: 2))

    /// The payment provider signs its webhooks with this shared secret (`X-Payment-Signature`).
    public static let paymentWebhookSecretVariable = "MYOP_PAYMENT_WEBHOOK_SECRET"
    public static let devPaymentWebhookSecret = "myop-dev-payment-webhook-secret"
    /// How often the monthly-cycle job looks for due accounts (seconds, default 30).
    public static let cyclePollVariable = "MYOP_BILLING_CYCLE_POLL_SECONDS"
    /// Seconds after which a mandate charge the gateway accepted but never confirmed is asked for again (D-19).
    public static let mandateUnconfirmedVariable = "MYOP_BILLING_MANDATE_UNCONFIRMED_SECONDS"
    /// The wait after a refused mandate charge, doubled for each later refusal (`MandateRetry`).
    public static let mandateRetryVariable = "MYOP_BILLING_MANDATE_RETRY_SECONDS"

    public static func definition() -> ServiceDefinition {
        ServiceDefinition(
            identity: identity,
            migrationsDirectory: Bundle.module.url(forResource: "Migrations", withExtension: nil),
            queues: Subscriptions.queues
        ) { context in
            let secret = try context.configuration.secret(paymentWebhookSecretVariable, devDefault: devPaymentWebhookSecret)
            // The payment gateway (its checkout pages and mandate charges): the sandbox's in dev.
            let gateway = try context.configuration.url("MYOP_SANDBOX_URL", devDefault: context.configuration.sandboxURL)
            let api = BillingAPI(
                database: context.database, outbox: context.outbox, checkoutBase: gateway,
                webhookKey: SymmetricKey(data: Data(secret.utf8)))
            let pollSeconds = try context.configuration.int(cyclePollVariable, default: 30, range: 1...86_400)
            let cycles = CycleJob(
                database: context.database, outbox: context.outbox, interval: .seconds(pollSeconds), logger: context.logger)
            let unconfirmedSeconds = try context.configuration.int(mandateUnconfirmedVariable, default: 600, range: 1...2_592_000)
            let retrySeconds = try context.configuration.int(mandateRetryVariable, default: 120, range: 1...3_600)
            // Created after every setting is read: a client dropped without its shutdown traps.
            let http = AutoRecharger.client()
            let renewals = RenewalJob(
                database: context.database, outbox: context.outbox, interval: .seconds(pollSeconds), logger: context.logger)
            let recharger = AutoRecharger(
                database: context.database, http: http, gatewayURL: gateway, interval: .seconds(max(1, pollSeconds / 10)),
                unconfirmedAfter: .seconds(unconfirmedSeconds), retry: MandateRetry(firstWait: .seconds(retrySeconds)),
                logger: context.logger)
            return ServiceComponents(
                consumers: UsageRater(outbox: context.outbox).consumers + [SLARefunds(outbox: context.outbox).consumer, CompanyTimeZones(logger: context.logger).consumer],
                authenticatedRoutes: { api.register($0) },
                publicRoutes: { api.registerPublic($0) },
                services: [HTTPClientService(client: http), cycles, renewals, recharger])
        }
    }
}

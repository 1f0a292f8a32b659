import Foundation
import Hummingbird
import Logging

// The sandbox plays the external providers (carrier switch, WhatsApp Cloud API, SMS aggregator, email, push,
// CRMs, the payment gateway) on loopback. Each provider's emulator arrives with the issue of the service that
// talks to it.
let environment = ProcessInfo.processInfo.environment
let port = Int(environment["MYOP_SANDBOX_PORT"] ?? "") ?? 8090
let host = environment["MYOP_HTTP_HOST"] ?? "127.0.0.1"
let router = Router()
router.get("healthz") { _, _ in "ok" }
PaymentProvider(
    billingURL: environment["MYOP_BILLING_URL"] ?? "http://127.0.0.1:8083",
    secret: environment["MYOP_PAYMENT_WEBHOOK_SECRET"] ?? "myop-dev-payment-webhook-secret"
).register(router)
WhatsAppProvider(
    campaignsURL: environment["MYOP_CAMPAIGNS_URL"] ?? "http://127.0.0.1:8082",
    appSecret: environment["MYOP_WHATSAPP_APP_SECRET"] ?? "myop-dev-whatsapp-app-secret",
    reviewDelay: .milliseconds(Int(environment["MYOP_SANDBOX_TEMPLATE_REVIEW_MS"] ?? "") ?? 2_000),
    rejectMarker: environment["MYOP_SANDBOX_REJECT_MARKER"] ?? "reject"
).register(router)
let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "sandbox"),
                      logger: Logger(label: "sandbox"))
try await app.runService()

import Billing
import Contracts
import Crypto
import Foundation
import Hummingbird
import Logging
import Messaging
import PostgresNIO
import ServiceKit
import Storage
import Testing

/// A real Billing service (`ServiceHost.run`) on the test database's `billing` schema, and an HTTP client for it.
/// Tests keep apart by using fresh companies.
struct BillingHarness: Sendable {
    let base: URL
    let configuration: ServiceConfiguration
    let database: Database

    static let webhookSecret = "it-payment-webhook-secret"

    typealias Reply = ServiceClient.Reply

    var client: ServiceClient { ServiceClient(base: base, jwtSecret: configuration.jwtSecret) }

    func token(_ company: CompanyID, role: Role = .owner) async throws -> String {
        try await client.token(company, role: role)
    }

    func call(
        _ method: String, _ path: String, token: String? = nil, json: String? = nil, headers: [String: String] = [:], within timeout: Duration = .seconds(30)
    ) async throws -> Reply {
        try await client.call(method, path, token: token, json: json, headers: headers, within: timeout)
    }

    func call(_ method: String, _ path: String, as company: CompanyID, role: Role = .owner, json: String? = nil) async throws -> Reply {
        try await client.call(method, path, as: company, role: role, json: json)
    }

    /// A Bengaluru number no earlier test run is likely to have bought (numbers are unique across companies).
    static func unusedNumber() -> String { "+9180\(Int.random(in: 10_000_000...99_999_999))" }

    /// The payment provider's signed callback.
    func providerWebhook(_ json: String, secret: String = BillingHarness.webhookSecret) async throws -> Reply {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(json.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        let signature = "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
        return try await call("POST", "/v1/billing/payments/webhook", json: json, headers: ["X-Payment-Signature": signature])
    }

    /// The provider's capture of a pending payment created through the API (`reply` is its 201).
    func capture(_ reply: Reply) async throws {
        try #require(reply.status == 201, "payment: \(reply.text)")
        let payment = try #require(try reply.json()["id"] as? String)
        let total = try #require(try reply.json()["total_payable"] as? Int)
        let captured = try await providerWebhook(#"{"event":"payment.captured","payment_id":"\#(payment)","amount":\#(total)}"#)
        try #require(captured.status == 200, "capture: \(captured.text)")
    }

    /// Recharges `amount` online: the payment, then the provider's capture of amount + GST.
    @discardableResult
    func recharge(_ company: CompanyID, _ amount: Money) async throws -> String {
        let created = try await call("POST", "/v1/billing/payments", as: company, json: #"{"amount":\#(amount.paise),"method":"online"}"#)
        try #require(created.status == 201, "payment: \(created.text)")
        let payment = try #require(try created.json()["id"] as? String)
        let total = try #require(try created.json()["total_payable"] as? Int)
        let captured = try await providerWebhook(
            #"{"event":"payment.captured","payment_id":"\#(payment)","provider_reference":"pay_\#(payment.prefix(8))","amount":\#(total)}"#)
        try #require(captured.status == 200, "capture: \(captured.text)")
        return payment
    }

    func balance(_ company: CompanyID) async throws -> Money {
        let rows = try await database.query("SELECT balance FROM billing.accounts WHERE company_id = \(company.uuid)")
        for try await balance in rows.decode(Int64.self) { return Money(paise: balance) }
        return .zero
    }
}

/// Runs a Billing service for `body`, then stops it. Every Billing of a test run starts here: they all work on the
/// one `billing` schema, so each one's scheduled jobs (auto-recharge, cycles) also take the other tests' rows, and
/// must do so with the same settings and a gateway that answers: a Billing that waited 10 s before asking a refused
/// charge again once made another test's fifth ask come 80 s late, the wait after four refusals being 10 × 2³ s.
func withBilling(_ body: @Sendable (BillingHarness) async throws -> Void) async throws {
    let port = TestEnvironment.listenPort()
    let gateway = TestGateway()
    let configuration = try ServiceConfiguration.load(
        for: BillingService.identity,
        environment: [
            "MYOP_DATABASE_URL": TestEnvironment.databaseURLText,
            "MYOP_AMQP_URL": TestEnvironment.amqpURLText,
            "MYOP_HTTP_PORT": "\(port)",
            BillingService.paymentWebhookSecretVariable: BillingHarness.webhookSecret,
            BillingService.cyclePollVariable: "1",
            // Long enough that a capture webhook slowed by a busy test run still lands before the fifth ask gives the
            // payment up (three accepted asks in the refusal tests: 15 s).
            BillingService.mandateUnconfirmedVariable: "5",
            // The wait before a refused mandate charge is asked again: 1 s, doubled after each refusal.
            BillingService.mandateRetryVariable: "1",
            "MYOP_SANDBOX_URL": "http://127.0.0.1:\(gateway.port)",
        ])
    try await withPostgres { client in
        let harness = BillingHarness(
            base: URL(string: "http://127.0.0.1:\(port)")!, configuration: configuration,
            database: Database(client: client, schema: SchemaName("billing")!, logger: TestEnvironment.logger))
        let servers = [
            TestServer(name: "test gateway", readiness: nil) { try await gateway.application { harness }.run() },
            TestServer.service("billing", BillingService.definition(), configuration, at: harness.base),
        ]
        try await withServers(servers) {
            await RunningBillings.shared.add(harness)
            do {
                try await body(harness)
            } catch {
                await RunningBillings.shared.remove(harness)
                throw error
            }
            await RunningBillings.shared.remove(harness)
        }
    }
}

/// A payment gateway for the tests (what the sandbox plays in dev): `POST /payments/mandates/charge` answers 202
/// and then captures the payment on Billing's signed webhook, as a gateway charging a saved mandate does, unless
/// `GatewayScript` says otherwise.
struct TestGateway {
    let port = TestEnvironment.listenPort()

    func application(billing: @escaping @Sendable () -> BillingHarness?) -> some ApplicationProtocol {
        let router = Router()
        router.post("payments/mandates/charge") { request, context -> Response in
            struct Charge: Decodable {
                var payment_id: String
                var amount: Int
            }
            let charge = try await request.decode(as: Charge.self, context: context)
            let captured = #"{"event":"payment.captured","payment_id":"\#(charge.payment_id)","provider_reference":"mandate","amount":\#(charge.amount)}"#
            let own = billing()
            switch await GatewayScript.shared.ask(charge.payment_id) {
            case .refuse:
                let declined = #"{"error":{"code":"BAD_REQUEST_ERROR","description":"the mandate charge was declined"}}"#
                return Response(status: .badRequest, body: ResponseBody(byteBuffer: ByteBuffer(string: declined)))
            case .fail: return Response(status: .serviceUnavailable)
            case .mute: return Response(status: .accepted)
            case .confirm: break
            }
            // Every Billing of the run polls the same schema, so the one that asked may be stopping by now; like a real
            // gateway, keep delivering the webhook (to any Billing still running) until one takes it.
            Task {
                for _ in 0..<60 {
                    for candidate in [own].compactMap(\.self) + (await RunningBillings.shared.all) {
                        if (try? await candidate.providerWebhook(captured))?.status == 200 { return }
                    }
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
            return Response(status: .accepted)
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: TestEnvironment.logger)
    }
}

/// The Billing services of this test run that are up: a payment webhook whose own Billing stopped goes to another.
actor RunningBillings {
    static let shared = RunningBillings()
    private var harnesses: [URL: BillingHarness] = [:]

    var all: [BillingHarness] { Array(harnesses.values) }

    func add(_ harness: BillingHarness) { harnesses[harness.base] = harness }
    func remove(_ harness: BillingHarness) { harnesses[harness.base] = nil }
}

/// What the test gateway does with mandate charges, shared by every test gateway of the run (any Billing may ask).
actor GatewayScript {
    static let shared = GatewayScript()
    private var muted: Set<String> = []
    /// Answers scripted for the next charges of a payment, in order; after them, `confirm` (or `mute`).
    private var scripted: [String: [Answer]] = [:]
    private var asks: [String: [ContinuousClock.Instant]] = [:]

    enum Answer {
        /// 202, then the capture on Billing's webhook.
        case confirm
        /// 202 and no capture, as when a gateway's webhook is lost.
        case mute
        /// 400: the gateway declined the charge.
        case refuse
        /// 503: an answer that does not say whether the mandate was charged.
        case fail
    }

    /// The next charge of `payment` is accepted (202) and never confirmed.
    func muteNextCharge(of payment: String) { muted.insert(payment.lowercased()) }

    /// The next `count` charges of `payment` not scripted yet are accepted (202) and never confirmed.
    func muteCharges(of payment: String, count: Int) { scripted[payment.lowercased(), default: []] += Array(repeating: .mute, count: count) }

    /// The next `count` charges of `payment` not scripted yet are refused (400).
    func refuseCharges(of payment: String, count: Int) { scripted[payment.lowercased(), default: []] += Array(repeating: .refuse, count: count) }

    /// The next `count` charges of `payment` not scripted yet answer 503, and it is not charged.
    func failCharges(of payment: String, count: Int) { scripted[payment.lowercased(), default: []] += Array(repeating: .fail, count: count) }

    /// Records the ask and says how to answer it.
    func ask(_ payment: String) -> Answer {
        let key = payment.lowercased()
        asks[key, default: []].append(.now)
        if let next = scripted[key]?.first {
            scripted[key]?.removeFirst()
            return next
        }
        return muted.remove(key) == nil ? .confirm : .mute
    }

    func charges(of payment: String) -> Int { asks[payment.lowercased()]?.count ?? 0 }

    /// When each ask of `payment` came, in order.
    func askTimes(of payment: String) -> [ContinuousClock.Instant] { asks[payment.lowercased()] ?? [] }
}

import Campaigns
import Contracts
import Crypto
import Foundation
import ServiceLifecycle
import Logging
import PostgresNIO
import ServiceKit
import Storage
import Testing

/// Real Campaigns services (any number of replicas on one database) with a real Billing for credit and the fake
/// Cloud API for Meta, plus the steps most tests share: a company with a WABA, a number, an approved template and
/// an audience. Tests keep apart by using fresh companies and numbers.
struct CampaignsHarness: Sendable {
    let replicas: [ServiceClient]
    let database: Database
    let billing: BillingHarness
    let cloud: FakeCloudAPI

    static let appSecret = "it-whatsapp-app-secret"
    static let verifyToken = "it-whatsapp-verify-token"

    var api: ServiceClient { replicas[0] }

    func call(
        _ method: String, _ path: String, as company: CompanyID, user: UserID = UserID(), role: Role = .owner, json: String? = nil
    ) async throws -> ServiceClient.Reply {
        try await api.call(method, path, as: company, user: user, role: role, json: json)
    }

    func create(_ path: String, as company: CompanyID, json: String) async throws -> [String: any Sendable] {
        let reply = try await call("POST", path, as: company, json: json)
        try #require(reply.status == 201, "POST \(path): \(reply.status) \(reply.text)")
        return try reply.json()
    }

    /// Meta's webhook post, signed with the app secret (or a wrong one).
    func webhook(_ json: String, secret: String = CampaignsHarness.appSecret) async throws -> ServiceClient.Reply {
        let signature = "sha256=" + HMAC<SHA256>.authenticationCode(for: Data(json.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
        return try await api.call("POST", "/v1/whatsapp/webhook", json: json, headers: ["X-Hub-Signature-256": signature])
    }

    /// Uploads a file as the raw body.
    func upload(_ data: Data, filename: String, as company: CompanyID) async throws -> ServiceClient.Reply {
        try await api.send(
            "POST", "/v1/audiences?filename=\(filename)", token: try await api.token(company), body: data, contentType: "application/octet-stream")
    }

    /// A company with money in the wallet, its WABA and one tier-`tier` number sending at `rate` per second.
    func company(balance: Money = .rupees(2_000), tier: Int = 1, rate: Int = 1_000) async throws -> (CompanyID, number: String, phoneNumberID: String) {
        let company = CompanyID()
        if balance > .zero { try await billing.recharge(company, balance) }
        let waba = String(Int.random(in: 1_000_000_000...9_999_999_999))
        let account = try await call("PUT", "/v1/whatsapp/account", as: company, json: #"{"waba_id":"\#(waba)"}"#)
        try #require(account.status == 200, "account: \(account.text)")
        let phoneNumberID = String(Int.random(in: 100_000_000_000...999_999_999_999))
        cloud.register(phoneNumberID, in: waba)
        let display = "+9170\(Int.random(in: 10_000_000...99_999_999))"
        let number = try await create(
            "/v1/whatsapp/numbers", as: company,
            json: #"{"phone_number_id":"\#(phoneNumberID)","display_number":"\#(display)","tier":\#(tier),"messages_per_second":\#(rate)}"#)
        return (company, try #require(number["id"] as? String), phoneNumberID)
    }

    /// A utility template with one body variable, submitted and approved by the provider's webhook.
    func approvedTemplate(_ company: CompanyID, name: String = "order_update_\(Int.random(in: 1_000...9_999))") async throws -> String {
        let template = try await create(
            "/v1/templates", as: company,
            json: #"{"name":"\#(name)","language":"en","category":"utility","body":{"text":"Hi {{1}}, your order has shipped.","samples":["Asha"]}}"#)
        let id = try #require(template["id"] as? String)
        let submitted = try await call("POST", "/v1/templates/\(id)/submit", as: company)
        try #require(submitted.status == 200, "submit: \(submitted.text)")
        let providerID = try #require(try submitted.json()["provider_template_id"] as? String)
        let approved = try await webhook(Self.templateStatus(providerID, "APPROVED"))
        try #require(approved.status == 200, "approve: \(approved.text)")
        return id
    }

    static func templateStatus(_ providerID: String, _ event: String) -> String {
        #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"message_template_status_update","value":{"event":"\#(event)","message_template_id":\#(providerID),"message_template_name":"t","message_template_language":"en","reason":"NONE"}}]}]}"#
    }

    /// A status webhook; with `conversation`, the marketing conversation it opened (as Meta sends with `sent`).
    /// Meta's post for a customer's text message to `phoneNumberID`, with their profile name when given.
    static func inbound(_ phoneNumberID: String, from: String, name: String? = "Asha", text: String, at: Date = Date(), id: String? = nil) -> String {
        let id = id ?? "wamid.in.\(UUID().uuidString.lowercased())"
        let contacts = name.map { #","contacts":[{"wa_id":"\#(from)","profile":{"name":"\#($0)"}}]"# } ?? ""
        return #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"\#(phoneNumberID)"}\#(contacts),"messages":[{"from":"\#(from)","id":"\#(id)","timestamp":"\#(Int(at.timeIntervalSince1970))","type":"text","text":{"body":"\#(text)"}}]}}]}]}"#
    }

    static func messageStatus(
        phoneNumberID: String, providerID: String, status: String, at: Int, recipient: String, conversation: String? = nil,
        origin: String = "marketing"
    ) -> String {
        let opened = conversation.map { #","conversation":{"id":"\#($0)","origin":{"type":"\#(origin)"}}"# } ?? ""
        return #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"\#(phoneNumberID)"},"statuses":[{"id":"\#(providerID)","status":"\#(status)","timestamp":"\#(at)","recipient_id":"\#(recipient)"\#(opened)}]}}]}]}"#
    }

    /// An audience of `count` contacts uploaded as CSV (`name,phonenumber`), numbers `base`, `base + 1`, ….
    func audience(_ company: CompanyID, count: Int, base: Int = 9_000_000_000) async throws -> String {
        var csv = "name,phonenumber\n"
        for index in 0..<count { csv += "Customer \(index + 1),91\(base + index)\n" }
        let reply = try await upload(Data(csv.utf8), filename: "audience.csv", as: company)
        try #require(reply.status == 201, "audience: \(reply.text)")
        return try #require(try reply.json()["id"] as? String)
    }

    func campaign(_ company: CompanyID, number: String, template: String, audience: String) async throws -> String {
        let campaign = try await create(
            "/v1/campaigns", as: company,
            json: #"{"name":"Diwali","number_id":"\#(number)","template_id":"\#(template)","audience_id":"\#(audience)","mapping":{"body":[{"column":"name","fallback":"Customer"}]}}"#)
        return try #require(campaign["id"] as? String)
    }

    func status(_ company: CompanyID, campaign: String) async throws -> [String: any Sendable] {
        let reply = try await call("GET", "/v1/campaigns/\(campaign)", as: company)
        try #require(reply.status == 200, "campaign: \(reply.text)")
        return try reply.json()
    }

    /// Waits for a campaign to reach a final status and answers it.
    func finished(_ company: CompanyID, campaign: String, timeout: Duration = .seconds(60)) async throws -> [String: any Sendable] {
        var last: [String: any Sendable] = [:]
        try await eventually(timeout: timeout, "campaign \(campaign) never finished: \(last)") {
            last = try await status(company, campaign: campaign)
            return ["completed", "partially_sent", "failed", "cancelled"].contains(last["status"] as? String ?? "")
        }
        return last
    }

    func count(_ sql: String) async throws -> Int { try await database.count(sql) }
}

/// Runs Billing, the fake Cloud API and `replicas` Campaigns services for `body`, then stops them.
func withCampaigns(replicas count: Int = 1, senders: Int = 4, _ body: @Sendable (CampaignsHarness) async throws -> Void) async throws {
    try await withBilling { billing in
        let cloud = FakeCloudAPI.shared
        let ports = (0..<count).map { _ in TestEnvironment.listenPort() }
        var configurations: [ServiceConfiguration] = []
        for port in ports {
            configurations.append(
                try ServiceConfiguration.load(
                    for: CampaignsService.identity,
                    environment: [
                        "MYOP_DATABASE_URL": TestEnvironment.databaseURLText,
                        "MYOP_AMQP_URL": TestEnvironment.amqpURLText,
                        "MYOP_HTTP_PORT": "\(port)",
                        CampaignsService.cloudURLVariable: cloud.baseURL,
                        CampaignsService.appSecretVariable: CampaignsHarness.appSecret,
                        CampaignsService.verifyTokenVariable: CampaignsHarness.verifyToken,
                        CampaignsService.billingURLVariable: billing.base.absoluteString,
                        CampaignsService.pollVariable: "100",
                        CampaignsService.senderConcurrencyVariable: "\(senders)",
                    ]))
        }
        let fixed = configurations
        try await withPostgres { client in
            let harness = CampaignsHarness(
                replicas: zip(ports, fixed).map { ServiceClient(base: URL(string: "http://127.0.0.1:\($0)")!, jwtSecret: $1.jwtSecret) },
                database: Database(client: client, schema: SchemaName("campaigns")!, logger: TestEnvironment.logger), billing: billing, cloud: cloud)
            let servers = zip(harness.replicas, fixed).enumerated().map { index, replica in
                TestServer.service("campaigns \(index)", CampaignsService.definition(), replica.1, at: replica.0.base)
            }
            try await withServers(servers) { try await body(harness) }
        }
    }
}

import Crypto
import Foundation
import FoundationNetworking
import Hummingbird
import Synchronization

/// Meta's WhatsApp Cloud API emulator (issue 5, D-11). Campaigns calls it as it calls graph.facebook.com, under
/// `/whatsapp`: messages are accepted with a `wamid`, then reported `sent`, `delivered` and `read` on Campaigns'
/// webhook, signed with the app secret (`X-Hub-Signature-256`), the first status of a template to a recipient
/// carrying a new conversation (D-18). Recipients ending in 0000 are refused as Meta refuses an unreachable
/// number (131026). Submitted templates are approved after `reviewDelay`, or rejected when their name contains
/// `rejectMarker`; `GET /whatsapp/{v}/{waba}/message_templates?name=…` lists them. A business account owns the phone number ids that begin with its own id followed by two digits
/// (`GET /whatsapp/{v}/{waba}/phone_numbers` lists `<waba>01` … `<waba>09`). `POST /whatsapp/inbound?phone_number_id=…
/// &from=…&text=…` plays a customer writing in.
struct WhatsAppProvider: Sendable {
    let campaignsURL: String
    let appSecret: String
    let reviewDelay: Duration
    let rejectMarker: String
    private let categories = Categories()

    init(campaignsURL: String, appSecret: String, reviewDelay: Duration, rejectMarker: String) {
        self.campaignsURL = campaignsURL
        self.appSecret = appSecret
        self.reviewDelay = reviewDelay
        self.rejectMarker = rejectMarker
    }

    /// Template categories by name, to label the conversations their sends open, and the templates each business
    /// account holds, as `GET /{waba}/message_templates` lists them.
    final class Categories: Sendable {
        struct Held: Sendable {
            var id: String
            var name: String
            var language: String
            var status: String
            var category: String
        }

        private let names = Mutex<[String: String]>([:])
        private let held = Mutex<[String: [Held]]>([:])

        func set(_ name: String, _ category: String) { names.withLock { $0[name] = category } }
        func category(_ name: String) -> String { names.withLock { $0[name] } ?? "marketing" }

        func hold(_ template: Held, in waba: String) { held.withLock { $0[waba, default: []].append(template) } }
        func decide(_ id: String, in waba: String, status: String) {
            held.withLock { held in
                guard let index = held[waba]?.firstIndex(where: { $0.id == id }) else { return }
                held[waba]?[index].status = status
            }
        }
        func templates(of waba: String, named name: String?) -> [Held] {
            held.withLock { $0[waba] ?? [] }.filter { name == nil || $0.name == name }
        }
    }

    func register(_ router: Router<BasicRequestContext>) {
        // CA-47: Meta's Marketing Messages Lite API takes the same payload at its own endpoint.
        let send: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            let sender = try context.parameters.require("owner")
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
            guard let to = json["to"] as? String, to.allSatisfy(\.isNumber), !to.isEmpty else {
                return Self.json(.badRequest, #"{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100}}"#)
            }
            if to.hasSuffix("0000") {
                return Self.json(.badRequest, #"{"error":{"message":"(#131026) Message Undeliverable.","type":"OAuthException","code":131026}}"#)
            }
            let id = "wamid.sandbox." + UUID().uuidString.lowercased()
            let template = (json["template"] as? [String: Any])?["name"] as? String
            let category = template.map(categories.category) ?? "service"
            Task { await report(id: id, to: to, phoneNumberID: sender, category: category) }
            return Self.json(.ok, #"{"messaging_product":"whatsapp","contacts":[{"input":"\#(to)","wa_id":"\#(to)"}],"messages":[{"id":"\#(id)"}]}"#)
        }
        router.post("whatsapp/:version/:owner/messages", use: send)
        router.post("whatsapp/:version/:owner/marketing_messages", use: send)
        router.get("whatsapp/:version/:owner/phone_numbers") { _, context -> Response in
            let waba = try context.parameters.require("owner")
            let entries = (1...9).map { #"{"id":"\#(waba)0\#($0)","display_phone_number":"+91 70000 0000\#($0)","quality_rating":"GREEN"}"# }
            return Self.json(.ok, #"{"data":[\#(entries.joined(separator: ","))]}"#)
        }
        router.get("whatsapp/:version/:owner/message_templates") { request, context -> Response in
            let waba = try context.parameters.require("owner")
            let entries = categories.templates(of: waba, named: request.uri.queryParameters.get("name")).map {
                #"{"id":"\#($0.id)","name":"\#($0.name)","language":"\#($0.language)","status":"\#($0.status)","category":"\#($0.category)"}"#
            }
            return Self.json(.ok, #"{"data":[\#(entries.joined(separator: ","))]}"#)
        }
        router.post("whatsapp/:version/:owner/message_templates") { request, context -> Response in
            let waba = try context.parameters.require("owner")
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
            let name = json["name"] as? String ?? ""
            let category = (json["category"] as? String ?? "MARKETING").uppercased()
            categories.set(name, category.lowercased())
            let id = String(Int.random(in: 100_000_000_000...999_999_999_999))
            categories.hold(.init(id: id, name: name, language: json["language"] as? String ?? "en", status: "PENDING", category: category), in: waba)
            let event = name.contains(rejectMarker) ? "REJECTED" : "APPROVED"
            Task {
                try? await Task.sleep(for: reviewDelay)
                categories.decide(id, in: waba, status: event)
                try? await post(
                    #"{"object":"whatsapp_business_account","entry":[{"id":"sandbox","changes":[{"field":"message_template_status_update","value":{"event":"\#(event)","message_template_id":\#(id),"message_template_name":"\#(name)","message_template_language":"en","reason":"\#(event == "REJECTED" ? "INVALID_FORMAT" : "NONE")"}}]}]}"#)
            }
            return Self.json(.ok, #"{"id":"\#(id)","status":"PENDING","category":"\#(category)"}"#)
        }
        router.post("whatsapp/inbound") { request, _ -> String in
            let query = request.uri.queryParameters
            guard let phoneNumberID = query.get("phone_number_id"), let from = query.get("from"), from.allSatisfy(\.isNumber) else {
                throw HTTPError(.badRequest, message: "phone_number_id and from (digits, e.g. 919876543210) are needed")
            }
            let text = (query.get("text") ?? "Hi").replacingOccurrences(of: "\"", with: "'")
            let now = Int(Date().timeIntervalSince1970)
            try await post(
                #"{"object":"whatsapp_business_account","entry":[{"id":"sandbox","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"sandbox","phone_number_id":"\#(phoneNumberID)"},"contacts":[{"wa_id":"\#(from)"}],"messages":[{"from":"\#(from)","id":"wamid.sandbox.in.\#(UUID().uuidString.lowercased())","timestamp":"\#(now)","type":"text","text":{"body":"\#(text)"}}]}}]}]}"#)
            return "delivered to campaigns\n"
        }
    }

    /// sent → delivered → read, as Meta reports them; the first carries the conversation the message opened.
    private func report(id: String, to: String, phoneNumberID: String, category: String) async {
        let conversation = #","conversation":{"id":"conv.\#(UUID().uuidString.lowercased())","origin":{"type":"\#(category)"}}"#
        for (index, status) in ["sent", "delivered", "read"].enumerated() {
            try? await Task.sleep(for: .milliseconds([100, 400, 1_500][index]))
            let now = Int(Date().timeIntervalSince1970)
            try? await post(
                #"{"object":"whatsapp_business_account","entry":[{"id":"sandbox","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"sandbox","phone_number_id":"\#(phoneNumberID)"},"statuses":[{"id":"\#(id)","status":"\#(status)","timestamp":"\#(now)","recipient_id":"\#(to)"\#(index == 0 ? conversation : "")}]}}]}]}"#)
        }
    }

    private func post(_ json: String) async throws {
        let body = Data(json.utf8)
        var request = URLRequest(url: URL(string: "\(campaignsURL)/v1/whatsapp/webhook")!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.timeoutInterval = 15
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(appSecret.utf8)))
        request.setValue("sha256=" + mac.map { String(format: "%02x", $0) }.joined(), forHTTPHeaderField: "X-Hub-Signature-256")
        _ = try await URLSession.shared.data(for: request)
    }

    private static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

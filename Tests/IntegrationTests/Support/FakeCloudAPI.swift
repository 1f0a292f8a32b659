import Foundation
import Hummingbird
import Logging
import Synchronization

/// Meta's WhatsApp Cloud API for the tests, speaking its request and response formats: `POST /{version}/{phone-number-id}
/// /messages` answers `{"messages":[{"id":"wamid…"}]}` or Meta's error object, `POST /{version}/{waba-id}/message_templates`
/// answers `{"id":…,"status":"PENDING","category":…}`. It records every request it accepted.
///
/// One fake serves the whole test process: every Campaigns replica any test starts shares the `campaigns.dispatch`
/// queue and may send another test's messages, so they must all reach the same provider. Tests tell their traffic
/// apart by phone number id, and behaviour knobs are per number too.
final class FakeCloudAPI: Sendable {
    static let shared: FakeCloudAPI = {
        let fake = FakeCloudAPI()
        Task.detached { try await fake.application().run() }
        return fake
    }()

    struct Sent: Sendable, Hashable {
        var phoneNumberID: String
        var to: String
        var type: String
        var template: String?
        var providerMessageID: String
        /// The request's JSON as it came.
        var body = ""
        /// When the fake accepted it.
        var at = ContinuousClock.now
        /// `messages`, or `marketing_messages` (CA-47, MM Lite).
        var endpoint = "messages"
    }

    struct Knobs: Sendable {
        /// The first this many message requests are throttled (Meta's 130429) before any is accepted.
        var throttleFirst = 0
        /// Recipients (digits, as Meta writes them) the provider refuses for good (131026, undeliverable).
        var undeliverable: Set<String> = []
        /// Time taken per message request.
        var latency: Duration = .zero
        /// Time taken by requests to these recipients (digits, as Meta writes them), instead of `latency`.
        var slowRecipients: [String: Duration] = [:]
        /// Time between accepting a message (it is in `sent`, its id known) and answering: a status webhook sent
        /// meanwhile outruns the sender recording the id.
        var answerDelay: Duration = .zero
    }

    let port = TestEnvironment.listenPort()
    private struct State {
        var knobs: [String: Knobs] = [:]
        var sent: [Sent] = []
        var throttled: [String: Int] = [:]
        var templates: [String] = []
        var accountTemplates: [String: [AccountTemplate]] = [:]
        var accounts: [String: Set<String>] = [:]
        var templateAnswers: [String: TemplateAnswer] = [:]
    }

    /// How the provider answers the submission of one template, by name, instead of accepting it.
    enum TemplateAnswer: Sendable {
        /// It takes the template and answers Meta's HTTP 500 "unknown error".
        case errorAfterTaking
        /// It takes nothing and answers HTTP 429.
        case throttled
    }

    func answer(templateNamed name: String, with answer: TemplateAnswer) { state.withLock { $0.templateAnswers[name] = answer } }

    private let state = Mutex(State())

    /// A template the provider holds for a business account, as `GET /{waba}/message_templates` lists it.
    struct AccountTemplate: Sendable {
        var id: String
        var name: String
        var language: String
        var status: String
        var category: String
    }

    /// A template the provider holds without this service having recorded its answer (a submission whose answer was
    /// lost in a crash).
    func hold(_ template: AccountTemplate, in waba: String) { state.withLock { $0.accountTemplates[waba, default: []].append(template) } }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var submittedTemplates: [String] { state.withLock { $0.templates } }

    /// What was accepted from one number.
    func sent(from phoneNumberID: String) -> [Sent] { state.withLock { $0.sent.filter { $0.phoneNumberID == phoneNumberID } } }
    func throttled(_ phoneNumberID: String) -> Int { state.withLock { $0.throttled[phoneNumberID] ?? 0 } }

    /// The numbers `GET /{waba}/phone_numbers` lists.
    func register(_ phoneNumberID: String, in waba: String) { state.withLock { _ = $0.accounts[waba, default: []].insert(phoneNumberID) } }

    func set(_ phoneNumberID: String, _ change: (inout Knobs) -> Void) { state.withLock { change(&$0.knobs[phoneNumberID, default: Knobs()]) } }

    func application() -> some ApplicationProtocol {
        let router = Router()
        let send: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
            let sender = try context.parameters.require("owner")
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
            let to = json["to"] as? String ?? ""
            let latency = self.state.withLock { $0.knobs[sender].map { $0.slowRecipients[to] ?? $0.latency } ?? .zero }
            if latency > .zero { try await Task.sleep(for: latency) }
            enum Verdict { case throttle, refuse, accept(String) }
            let verdict: Verdict = self.state.withLock { state in
                let knobs = state.knobs[sender] ?? Knobs()
                if state.throttled[sender, default: 0] < knobs.throttleFirst {
                    state.throttled[sender, default: 0] += 1
                    return .throttle
                }
                if knobs.undeliverable.contains(to) { return .refuse }
                let id = "wamid.\(UUID().uuidString.lowercased())"
                state.sent.append(Sent(
                    phoneNumberID: sender, to: to, type: json["type"] as? String ?? "", template: (json["template"] as? [String: Any])?["name"] as? String,
                    providerMessageID: id, body: String(decoding: body.readableBytesView, as: UTF8.self),
                    endpoint: request.uri.path.hasSuffix("/marketing_messages") ? "marketing_messages" : "messages"))
                return .accept(id)
            }
            let answerDelay = self.state.withLock { $0.knobs[sender]?.answerDelay ?? .zero }
            if case .accept = verdict, answerDelay > .zero { try await Task.sleep(for: answerDelay) }
            switch verdict {
            case .throttle:
                return Self.json(
                    .badRequest, #"{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"fbtrace_id":"Atest"}}"#)
            case .refuse:
                return Self.json(
                    .badRequest, #"{"error":{"message":"(#131026) Message Undeliverable.","type":"OAuthException","code":131026,"fbtrace_id":"Atest"}}"#)
            case .accept(let id):
                return Self.json(.ok, #"{"messaging_product":"whatsapp","contacts":[{"input":"\#(to)","wa_id":"\#(to)"}],"messages":[{"id":"\#(id)"}]}"#)
            }
        }
        router.post(":version/:owner/messages", use: send)
        router.post(":version/:owner/marketing_messages", use: send)
        router.get(":version/:owner/phone_numbers") { _, context -> Response in
            let waba = try context.parameters.require("owner")
            let ids = self.state.withLock { $0.accounts[waba] ?? [] }
            let entries = ids.map { #"{"id":"\#($0)","display_phone_number":"+91 70000 00000","quality_rating":"GREEN"}"# }.joined(separator: ",")
            return Self.json(.ok, #"{"data":[\#(entries)]}"#)
        }
        router.get(":version/:owner/message_templates") { request, context -> Response in
            // As Meta lists them: names matched partly, `limit` per page, `after` the cursor of the next page.
            let version = try context.parameters.require("version")
            let waba = try context.parameters.require("owner")
            let name = request.uri.queryParameters["name"].map(String.init)
            let limit = request.uri.queryParameters["limit"].flatMap { Int(String($0)) } ?? 25
            let start = request.uri.queryParameters["after"].flatMap { Int(String($0)) } ?? 0
            let listed = self.state.withLock { $0.accountTemplates[waba] ?? [] }.filter { name == nil || $0.name.contains(name!) }
            let page = listed.dropFirst(start).prefix(limit)
            let entries = page.map {
                #"{"id":"\#($0.id)","name":"\#($0.name)","language":"\#($0.language)","status":"\#($0.status)","category":"\#($0.category)"}"#
            }
            var paging = #"{"cursors":{"before":"\#(start)","after":"\#(start + page.count)"}"#
            if start + page.count < listed.count {
                var next = URLComponents(string: "\(self.baseURL)/\(version)/\(waba)/message_templates")!
                next.queryItems = [URLQueryItem(name: "name", value: name), URLQueryItem(name: "limit", value: String(limit)),
                                   URLQueryItem(name: "after", value: String(start + page.count))]
                paging += #","next":"\#(next.string!)""#
            }
            return Self.json(.ok, #"{"data":[\#(entries.joined(separator: ","))],"paging":\#(paging)}}"#)
        }
        router.post(":version/:owner/message_templates") { request, context -> Response in
            let waba = try context.parameters.require("owner")
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
            let id = String(Int.random(in: 100_000_000_000...999_999_999_999))
            let name = json["name"] as? String ?? ""
            let answer: TemplateAnswer? = self.state.withLock {
                let answer = $0.templateAnswers[name]
                if case .throttled = answer { return answer }
                $0.templates.append(name)
                $0.accountTemplates[waba, default: []].append(AccountTemplate(
                    id: id, name: name, language: json["language"] as? String ?? "", status: "PENDING",
                    category: json["category"] as? String ?? "UTILITY"))
                return answer
            }
            switch answer {
            case .errorAfterTaking:
                return Self.json(
                    .internalServerError, #"{"error":{"message":"An unknown error has occurred.","type":"OAuthException","code":1,"fbtrace_id":"Atest"}}"#)
            case .throttled:
                return Self.json(
                    .tooManyRequests, #"{"error":{"message":"(#4) Application request limit reached","type":"OAuthException","code":4,"fbtrace_id":"Atest"}}"#)
            case nil:
                return Self.json(.ok, #"{"id":"\#(id)","status":"PENDING","category":"\#(json["category"] as? String ?? "UTILITY")"}"#)
            }
        }
        var logger = Logger(label: "fake-cloud-api")
        logger.logLevel = .warning
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
    }

    private static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

import Contracts
import Foundation
import Testing

/// Plays the carrier switch against CallRouter: posts calls and events, reads the instructions back. Requests
/// alternate between the replicas, so every call is served by more than one of them.
///
/// The switch reports when things happened (`at`). This one reports one fixed instant for everything, so its calls
/// last 0 seconds and cost nothing: a Billing service running in the same test process (it consumes every
/// `call.completed` on the shared broker) then never suspends a test company halfway through a test.
final class ScriptedSwitch: @unchecked Sendable {
    let router: CallRouterHarness
    let at = Timestamp.format(Date())
    private var requests = 0

    init(router: CallRouterHarness) { self.router = router }

    /// One answer of CallRouter to the switch.
    struct Answer {
        let status: Int
        let uid: String?
        let callStatus: String?
        let instructions: [[String: Any]]
        let raw: String

        var types: [String] { instructions.compactMap { $0["type"] as? String } }

        /// The agents the first `dial` instruction rings, by user id.
        var dialled: [String]? {
            guard let dial = instructions.first(where: { $0["type"] as? String == "dial" }) else { return nil }
            return (dial["agents"] as? [[String: Any]])?.compactMap { $0["user_id"] as? String }
        }

        var hangupReason: String? { instructions.first { $0["type"] as? String == "hangup" }?["reason"] as? String }
    }

    private func send(_ path: String, _ json: String) async throws -> Answer {
        requests += 1
        let reply = try await router.switchCall(path, json: json, replica: requests)
        let object = (try? JSONSerialization.jsonObject(with: reply.body)) as? [String: Any] ?? [:]
        return Answer(
            status: reply.status, uid: object["uid"] as? String, callStatus: object["status"] as? String,
            instructions: object["instructions"] as? [[String: Any]] ?? [], raw: reply.text)
    }

    func start(did: String, caller: String?, extension dialled: String? = nil) async throws -> Answer {
        var fields = [#""did":"\#(did)""#, #""carrier_call_id":"\#(UUID().uuidString)""#, #""at":"\#(at)""#]
        if let caller { fields.append(#""caller":"\#(caller)""#) }
        if let dialled { fields.append(#""extension":"\#(dialled)""#) }
        let answer = try await send("/v1/calls", "{" + fields.joined(separator: ",") + "}")
        try #require(answer.status == 200, "start: \(answer.status) \(answer.raw)")
        return answer
    }

    /// An event of call `uid`: `fields` is the JSON body without braces, after the type.
    func event(_ uid: String, _ type: String, _ fields: String = "", eventID: String? = nil, expect status: Int = 200) async throws -> Answer {
        var body = #"{"type":"\#(type)","at":"\#(at)""#
        if !fields.isEmpty { body += "," + fields }
        if let eventID { body += #","event_id":"\#(eventID)""# }
        let answer = try await send("/v1/calls/\(uid)/events", body + "}")
        try #require(answer.status == status, "\(type): \(answer.status) \(answer.raw)")
        return answer
    }

    func dtmf(_ uid: String, _ digits: String, eventID: String? = nil) async throws -> Answer {
        try await event(uid, "dtmf", #""digits":"\#(digits)""#, eventID: eventID)
    }

    func answered(_ uid: String, by agent: String, leg: String = "agent", eventID: String? = nil) async throws -> Answer {
        try await event(uid, "offer_answered", #""agent_id":"\#(agent)","leg":"\#(leg)""#, eventID: eventID)
    }

    func hangup(_ uid: String, recording: String? = nil) async throws -> Answer {
        try await event(uid, "hangup", recording.map { #""recording_url":"\#($0)""# } ?? "")
    }
}

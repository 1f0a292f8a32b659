import CallRouter
import Contracts
import Foundation
import Testing

/// The switch at its worst: random events in random order, resent, after the hang-up, on calls that race for a few
/// lines and are served by two replicas. Whatever it sends, CallRouter answers without a server error, every call it
/// admitted ends once with one `call.completed`, and the company is left with no line and no agent held.
@Suite("Call control under random switch events")
struct CallChaosTests {
    /// The random choices' seed: `MYOP_TEST_SEED` replays a failed run's choices (not its interleaving), else a new one.
    static func seed() -> UInt64 {
        ProcessInfo.processInfo.environment["MYOP_TEST_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
    }

    /// A small seeded generator (SplitMix64).
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    struct Call: Sendable {
        let uid: String
        let admitted: Bool
    }

    @Test("CR-52, D-06, D-07, D-20: random, resent and late switch events: no server error; each admitted call ends once, with one call.completed; no line or agent stays held")
    func randomSwitchEvents() async throws {
        let seed = Self.seed()
        try await withCallRouter(replicas: 2) { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 3)
            let tap = try await EventTap.open("call-chaos", bindings: ["call.completed"])
            let at = Timestamp.format(Date())
            let calls = try await Self.playAll(router: router, office: office, seed: seed, at: at)
            let admitted = calls.filter(\.admitted).map(\.uid)
            #expect(!admitted.isEmpty)
            #expect(try await router.count(
                "SELECT lines_in_use + outbound_in_use FROM callrouter.companies WHERE company_id = '\(company)'") == 0, "seed \(seed)")
            #expect(try await router.count(
                "SELECT count(*) FROM callrouter.users WHERE company_id = '\(company)' AND on_call IS NOT NULL") == 0, "seed \(seed)")
            #expect(try await router.count(
                "SELECT count(*) FROM callrouter.calls WHERE company_id = '\(company)' AND ended_at IS NULL") == 0, "seed \(seed)")
            let perCall = try await Self.completedPerCall(tap: tap, company: company, expected: admitted.count)
            #expect(Set(perCall.keys) == Set(admitted), "seed \(seed)")
            let doubled = perCall.filter { $0.value != 1 }
            #expect(doubled.isEmpty, "seed \(seed): \(doubled)")
            await tap.close()
        }
    }

    /// One answer of CallRouter to the switch; a server error fails the test.
    static func send(
        _ router: CallRouterHarness, _ path: String, _ json: String, replica: Int, seed: UInt64
    ) async throws -> (status: Int, body: [String: any Sendable], text: String) {
        let reply = try await router.switchCall(path, json: json, replica: replica)
        #expect(reply.status < 500, "seed \(seed): POST \(path) \(json) → \(reply.status) \(reply.text)")
        return (reply.status, (try? reply.json()) ?? [:], reply.text)
    }

    /// One random event, as the body's fields without braces and without `at`: half the time the one that moves the
    /// call on from where the last answer left it (a menu key, an answer by an agent it rings, a transfer once
    /// connected), otherwise anything.
    static func randomEvent(
        uid: String, office: TelephonyOffice, last answer: [String: any Sendable], lastEvent: String?, connected: Bool,
        using random: inout Seeded
    ) -> String {
        let ringing = dialled(answer)
        let agent = (Bool.random(using: &random) ? ringing.randomElement(using: &random) : nil) ?? office.agents.randomElement(using: &random)!
        let types = (answer["instructions"] as? [[String: any Sendable]] ?? []).compactMap { $0["type"] as? String }
        if Bool.random(using: &random) {
            if !ringing.isEmpty { return #""type":"offer_answered","agent_id":"\#(agent)","leg":"agent""# }
            if types.contains("gather") || types.contains("play") { return #""type":"dtmf","digits":"\#(["1", "2", "3", "4"].randomElement(using: &random)!)""# }
            if connected {
                return #""type":"transfer","by":"agent","agent_id":"\#(agent)","to":{"department_id":"\#(office.support)"}"#
            }
        }
        switch Int.random(in: 0..<10, using: &random) {
        case 0, 1: return #""type":"dtmf","digits":"\#(["1", "2", "3", "4", "9", "12", "*", "#"].randomElement(using: &random)!)""#
        case 2: return #""type":"no_input""#
        case 3: return #""type":"offer_answered","agent_id":"\#(agent)","leg":"agent""#
        case 4: return #""type":"offer_rejected","leg":"agent""#
        case 5: return #""type":"offer_timeout","leg":"agent""#
        case 6: return #""type":"voicemail_recorded","recording_url":"https://rec.example.in/\#(uid).mp3","seconds":7"#
        case 7:
            let target = Bool.random(using: &random) ? #"{"department_id":"\#(office.support)"}"# : #"{"user_id":"\#(agent)"}"#
            return #""type":"transfer","by":"agent","agent_id":"\#(agent)","to":\#(target)"#
        default:
            // The last event again, as a switch retrying after a timeout does.
            return lastEvent ?? #""type":"no_input""#
        }
    }

    /// Eight calls one after the other, each with up to twelve random events, a hang-up, the hang-up again and a late key.
    static func play(router: CallRouterHarness, office: TelephonyOffice, seed: UInt64, worker: Int, at: String) async throws -> [Call] {
        var random = Seeded(state: seed &+ UInt64(worker))
        var calls: [Call] = []
        var request = worker
        for _ in 0..<8 {
            let caller = "+9198\(Int.random(in: 10_000_000...99_999_999, using: &random))"
            request += 1
            let started = try await send(
                router, "/v1/calls", #"{"did":"\#(office.virtualDID)","caller":"\#(caller)","carrier_call_id":"\#(UUID())","at":"\#(at)"}"#,
                replica: request, seed: seed)
            try #require(started.status == 200, "seed \(seed): \(started.text)")
            // A call lost for want of a line (CR-52) has no call log and no uid.
            guard let uid = started.body["uid"] as? String else {
                #expect(started.body["status"] as? String == "lost", "seed \(seed): \(started.text)")
                calls.append(Call(uid: "", admitted: false))
                continue
            }
            let status = started.body["status"] as? String
            calls.append(Call(uid: uid, admitted: status != "lost" && status != "refused"))
            var last: String?
            var answer = started.body
            var connected = false
            for step in 0..<Int.random(in: 0...12, using: &random) {
                let fields = randomEvent(uid: uid, office: office, last: answer, lastEvent: last, connected: connected, using: &random)
                let body = fields.contains("event_id") ? fields : fields + #","event_id":"e\#(step)-\#(UUID())""#
                last = body
                request += 1
                let reply = try await send(router, "/v1/calls/\(uid)/events", "{" + body + #","at":"\#(at)"}"#, replica: request, seed: seed)
                answer = reply.body
                // An agent took the call: what follows is mostly a transfer.
                if reply.status == 200, body.contains(#""type":"offer_answered""#), answer["status"] as? String == "live" { connected = true }
                if answer["status"] as? String == "ended" { connected = false }
            }
            let hangup = #"{"type":"hangup","event_id":"h-\#(uid)","at":"\#(at)"}"#
            request += 1
            _ = try await send(router, "/v1/calls/\(uid)/events", hangup, replica: request, seed: seed)
            // Resent, and something after the end: both answered, neither changes anything.
            request += 1
            let again = try await send(router, "/v1/calls/\(uid)/events", hangup, replica: request, seed: seed)
            #expect(again.status == 200, "seed \(seed): \(again.text)")
            request += 1
            let late = try await send(router, "/v1/calls/\(uid)/events", #"{"type":"dtmf","digits":"1","at":"\#(at)"}"#, replica: request, seed: seed)
            #expect(late.body["status"] as? String == "ended", "seed \(seed): \(late.text)")
        }
        return calls
    }

    /// The agents a `dial` instruction of an answer rings.
    static func dialled(_ answer: [String: any Sendable]) -> [String] {
        let instructions = answer["instructions"] as? [[String: any Sendable]] ?? []
        let agents = instructions.first { $0["type"] as? String == "dial" }?["agents"] as? [[String: any Sendable]] ?? []
        return agents.compactMap { $0["user_id"] as? String }
    }

    static func playAll(router: CallRouterHarness, office: TelephonyOffice, seed: UInt64, at: String) async throws -> [Call] {
        try await withThrowingTaskGroup(of: [Call].self) { group in
            for worker in 0..<5 {
                group.addTask { try await play(router: router, office: office, seed: seed, worker: worker, at: at) }
            }
            var all: [Call] = []
            for try await calls in group { all += calls }
            return all
        }
    }

    /// The distinct `call.completed` events of `company` per call, once `expected` calls have one.
    static func completedPerCall(tap: EventTap, company: CompanyID, expected: Int) async throws -> [String: Int] {
        func uids(_ events: [EncodedEnvelope]) -> [String] {
            events.filter { $0.header.companyID == company }.compactMap { try? $0.decode(CallCompleted.self).data.uid.description }
        }
        let events = try await tap.events(timeout: .seconds(60), linger: .seconds(2)) { Set(uids($0)).count >= expected }
        var perCall: [String: Int] = [:]
        for uid in uids(events) { perCall[uid, default: 0] += 1 }
        return perCall
    }
}

import CallRouter
import Contracts
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage
import Testing

/// CallRouter against a scripted switch, two replicas, the real broker and database.
@Suite("CallRouter with a scripted switch")
struct CallRouterSwitchTests {
    /// What one scripted call should leave behind.
    struct Expected {
        var uid: String?
        var outcome: String
        var direction = "inbound"
        var agent: String?
        var department: String?
        var notReachable = false
        var answers = 0
        var transfers = 0
    }

    @Test("CR-08: 1,000 scripted calls on 2 numbers sharing one flow, 3 strategies, 8 agents over two replicas: logs, call.* events and outcomes match exactly")
    func scriptedCalls() async throws {
        try await withCallRouter(replicas: 2) { router in
            let company = CompanyID()
            let tap = try await EventTap.open("call_events", bindings: ["call.*"])

            let office = try await TelephonyOffice.create(router, company: company, lines: 12)
            let phone = ScriptedSwitch(router: router)
            var expected: [Expected] = []
            var lost = 0
            var balancedFirsts: [String] = []
            let sales = office.sales, support = office.support, accounts = office.accounts
            let a = office.agents

            var round = 0
            while expected.count + lost < 1_000 {
                let did = round % 2 == 0 ? office.virtualDID : office.tollFreeDID
                let caller = "+9197\(String(format: "%08d", round))"
                switch round % 18 {
                case 0:
                    // Serial: the first member answers.
                    let call = try await phone.start(did: did, caller: caller)
                    #expect(call.types == ["play", "play", "gather"] || call.types == ["play", "gather"], "\(call.raw)")
                    let uid = try #require(call.uid)
                    #expect(try await phone.dtmf(uid, "1").dialled == [a[0]])
                    _ = try await phone.answered(uid, by: a[0])
                    _ = try await phone.hangup(uid, recording: "https://rec.example/\(uid).mp3")
                    expected.append(Expected(uid: uid, outcome: "connected", agent: a[0], department: sales, answers: 1))
                case 1:
                    // Serial: timeout, not reachable (CR-54), then the third answers.
                    let uid = try #require(try await phone.start(did: did, caller: caller).uid)
                    #expect(try await phone.dtmf(uid, "1").dialled == [a[0]])
                    #expect(try await phone.event(uid, "offer_timeout").dialled == [a[1]])
                    #expect(try await phone.event(uid, "offer_rejected", #""reason":"not_reachable""#).dialled == [a[2]])
                    _ = try await phone.answered(uid, by: a[2])
                    _ = try await phone.hangup(uid)
                    expected.append(Expected(uid: uid, outcome: "connected", agent: a[2], department: sales, notReachable: true, answers: 1))
                case 2:
                    // Serial: nobody answers, the department falls back to voicemail.
                    let uid = try #require(try await phone.start(did: did, caller: caller).uid)
                    _ = try await phone.dtmf(uid, "1")
                    _ = try await phone.event(uid, "offer_timeout")
                    _ = try await phone.event(uid, "offer_timeout")
                    let voicemail = try await phone.event(uid, "offer_timeout")
                    #expect(voicemail.types == ["record_voicemail"], "round \(round): \(voicemail.raw)")
                    let saved = try await phone.event(uid, "voicemail_recorded", #""recording_url":"https://rec.example/vm-\#(uid).mp3","seconds":20"#)
                    #expect(saved.hangupReason == "voicemail_saved")
                    #expect(try await phone.hangup(uid).callStatus == "ended")
                    expected.append(Expected(uid: uid, outcome: "voicemail", department: sales))
                case 3:
                    // Simultaneous: all three ring at once; the second picks up.
                    let uid = try #require(try await phone.start(did: did, caller: caller).uid)
                    #expect(try await phone.dtmf(uid, "2").dialled == [a[3], a[4], a[5]])
                    _ = try await phone.answered(uid, by: a[4])
                    _ = try await phone.hangup(uid)
                    expected.append(Expected(uid: uid, outcome: "connected", agent: a[4], department: support, answers: 1))
                case 4:
                    // Simultaneous: nobody answers; Support's fallback disconnects: missed.
                    let uid = try #require(try await phone.start(did: did, caller: caller).uid)
                    _ = try await phone.dtmf(uid, "2")
                    #expect(try await phone.event(uid, "offer_timeout").hangupReason == "disconnect")
                    expected.append(Expected(uid: uid, outcome: "missed", department: support))
                case 5, 6:
                    // Balanced: the first offer rotates over the members.
                    let uid = try #require(try await phone.start(did: did, caller: caller).uid)
                    let first = try #require(try await phone.dtmf(uid, "3").dialled?.first)
                    balancedFirsts.append(first)
                    _ = try await phone.answered(uid, by: first)
                    _ = try await phone.hangup(uid)
                    expected.append(Expected(uid: uid, outcome: "connected", agent: first, department: accounts, answers: 1))
                case 7:
                    // CR-19, CR-20: three plays without a key, then the menu's fallback (disconnect).
                    let uid = try #require(try await phone.start(did: did, caller: caller).uid)
                    #expect(try await phone.event(uid, "no_input").types == ["play", "gather"])
                    #expect(try await phone.event(uid, "no_input").types == ["play", "gather"])
                    #expect(try await phone.event(uid, "no_input").hangupReason == "disconnect")
                    expected.append(Expected(uid: uid, outcome: "missed"))
                case 8:
                    // The caller hangs up in the menu.
                    let uid = try #require(try await phone.start(did: did, caller: caller).uid)
                    _ = try await phone.dtmf(uid, "*")
                    _ = try await phone.hangup(uid)
                    expected.append(Expected(uid: uid, outcome: "missed"))
                case 9:
                    // Option 4 is the voicemail node (45 s, CR-22).
                    let uid = try #require(try await phone.start(did: did, caller: caller).uid)
                    let record = try await phone.dtmf(uid, "4")
                    #expect(record.instructions.last?["max_seconds"] as? Int == 45)
                    _ = try await phone.event(uid, "voicemail_recorded", #""recording_url":"https://rec.example/vm-\#(uid).mp3","seconds":7"#)
                    expected.append(Expected(uid: uid, outcome: "voicemail"))
                case 10:
                    // CR-63: a blocked caller is rejected before the IVR.
                    let call = try await phone.start(did: did, caller: office.blockedCaller)
                    #expect(call.hangupReason == "blocked" && call.callStatus == "ended")
                    let uid: String = try #require(call.uid)
                    expected.append(Expected(uid: uid, outcome: "rejected"))
                case 11:
                    // CR-12: a number with no published flow.
                    let call = try await phone.start(did: office.unmappedDID, caller: caller)
                    #expect(call.hangupReason == "no_flow")
                    let uid: String = try #require(call.uid)
                    expected.append(Expected(uid: uid, outcome: "no_flow"))
                case 12:
                    // CR-45: the caller cannot transfer; CR-43, CR-44: the agent transfers blind to extension 14.
                    let uid = try #require(try await phone.start(did: did, caller: caller).uid)
                    _ = try await phone.dtmf(uid, "1")
                    _ = try await phone.answered(uid, by: a[0])
                    let refused = try await phone.event(uid, "transfer", #""by":"caller","to":{"extension":14}"#, expect: 403)
                    #expect(refused.raw.contains("call.transfer.caller_not_allowed"))
                    let moved = try await phone.event(uid, "transfer", #""by":"agent","agent_id":"\#(a[0])","to":{"extension":14},"mode":"blind""#)
                    #expect(moved.dialled == [a[3]])
                    _ = try await phone.answered(uid, by: a[3])
                    _ = try await phone.hangup(uid)
                    expected.append(Expected(uid: uid, outcome: "connected", agent: a[3], department: sales, answers: 2, transfers: 1))
                case 13:
                    // CR-16: "<number>,17" rings extension 17 directly.
                    let call = try await phone.start(did: did, caller: caller, extension: "17")
                    #expect(call.dialled == [a[6]])
                    let uid = try #require(call.uid)
                    _ = try await phone.answered(uid, by: a[6])
                    _ = try await phone.hangup(uid)
                    expected.append(Expected(uid: uid, outcome: "connected", agent: a[6], answers: 1))
                case 14:
                    // A resent event gets the same answer and changes nothing.
                    let uid = try #require(try await phone.start(did: did, caller: caller).uid)
                    let first = try await phone.dtmf(uid, "1", eventID: "e1")
                    let again = try await phone.dtmf(uid, "1", eventID: "e1")
                    #expect(first.raw == again.raw)
                    _ = try await phone.answered(uid, by: a[0], eventID: "e2")
                    _ = try await phone.answered(uid, by: a[0], eventID: "e2")
                    _ = try await phone.hangup(uid)
                    expected.append(Expected(uid: uid, outcome: "connected", agent: a[0], department: sales, answers: 1))
                case 15:
                    // CR-47, CR-52, D-07: all 12 lines held in the menu, the 13th call is lost; the held ones then hang up.
                    var held: [String] = []
                    for index in 0..<12 {
                        held.append(try #require(try await phone.start(did: did, caller: "+9196\(String(format: "%04d%04d", round, index))").uid))
                    }
                    let overflow = try await phone.start(did: did, caller: caller)
                    #expect(overflow.callStatus == "lost" && overflow.uid == nil && overflow.hangupReason == "lost_capacity")
                    lost += 1
                    for uid in held {
                        _ = try await phone.hangup(uid)
                        expected.append(Expected(uid: uid, outcome: "missed"))
                    }
                case 16:
                    // CR-76, CR-84: click-to-call: agent leg, then customer leg, connected.
                    let placed = try await router.call(
                        "POST", "/v1/calls/outbound", as: company, user: UserID(a[1])!, role: .agent, json: #"{"customer":"\#(caller)"}"#)
                    try #require(placed.status == 201, "outbound: \(placed.text)")
                    let uid = try #require(try placed.json()["uid"] as? String)
                    let customerLeg = try await phone.answered(uid, by: a[1], leg: "agent")
                    #expect(customerLeg.types == ["dial"])
                    _ = try await phone.answered(uid, by: a[1], leg: "customer")
                    _ = try await phone.hangup(uid)
                    expected.append(Expected(uid: uid, outcome: "connected", direction: "outbound", agent: a[1], answers: 1))
                default:
                    // CR-55: the customer never answers: failed.
                    let placed = try await router.call(
                        "POST", "/v1/calls/outbound", as: company, user: UserID(a[7])!, role: .agent, json: #"{"customer":"\#(caller)"}"#)
                    try #require(placed.status == 201, "outbound: \(placed.text)")
                    let uid = try #require(try placed.json()["uid"] as? String)
                    _ = try await phone.answered(uid, by: a[7], leg: "agent")
                    #expect(try await phone.event(uid, "offer_timeout", #""leg":"customer""#).hangupReason == "outbound_failed")
                    expected.append(Expected(uid: uid, outcome: "failed", direction: "outbound", agent: a[7]))
                }
                round += 1
            }
            #expect(expected.count + lost == 1_000 || expected.count + lost < 1_013)

            // D-04: the balanced department's first offer alternated between its two members, across both replicas.
            #expect(balancedFirsts == balancedFirsts.indices.map { $0 % 2 == 0 ? a[6] : a[7] })

            // The call log: exactly one row per logged call, with the expected outcome, agent, department.
            var logged: [String: [String: Any]] = [:]
            var cursor: String?
            repeat {
                let page = try await router.call(
                    "GET", "/v1/calls?limit=1000" + (cursor.map { "&before=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? ""),
                    as: company)
                try #require(page.status == 200, "\(page.text)")
                for item in try page.json()["items"] as? [[String: Any]] ?? [] { logged[item["uid"] as! String] = item }
                cursor = try page.json()["next"] as? String
            } while cursor != nil
            #expect(logged.count == expected.count)
            for call in expected {
                let row = try #require(logged[call.uid!], "no log for \(call)")
                #expect(row["status"] as? String == call.outcome, "\(call.uid!)")
                #expect(row["direction"] as? String == call.direction)
                #expect(row["agent_id"] as? String == call.agent, "agent of \(call.uid!) \(call.outcome)")
                if call.direction == "inbound" { #expect(row["department_id"] as? String == call.department, "department of \(call.uid!)") }
                #expect(row["not_reachable"] as? Bool == call.notReachable)
            }

            // The events: one call.completed per logged call with the same outcome; started, answered, transferred, lost.
            let ids = Set(expected.compactMap(\.uid))
            let envelopes = try await tap.events(timeout: .seconds(120)) { envelopes in
                Set(envelopes.filter { $0.header.companyID == company && $0.header.type == .callCompleted }.map(\.header.id)).count >= expected.count
            }
            let mine = envelopes.filter { $0.header.companyID == company }
            func events(_ type: EventType) -> [EncodedEnvelope] { mine.filter { $0.header.type == type } }
            let completed = try events(.callCompleted).map { try $0.decode(CallCompleted.self).data }
            #expect(completed.count == expected.count)
            #expect(Set(completed.map(\.uid.description)) == ids)
            let byUID = Dictionary(uniqueKeysWithValues: expected.map { ($0.uid!, $0) })
            for event in completed {
                let call = try #require(byUID[event.uid.description])
                #expect(event.outcome.rawValue == call.outcome)
                #expect(event.agentID?.description == call.agent)
                #expect(event.notReachable == call.notReachable)
                // The scripted switch reports every moment as the same instant (see ScriptedSwitch).
                #expect(event.billableSeconds == 0)
                #expect((event.pickedUpAt == nil) == (call.outcome == "rejected" || call.outcome == "no_flow"))
                // CR-59: a recording can be fetched two minutes after the call ends, and the CRM is told when.
                if event.recordingURL != nil {
                    let wait = try #require(event.recordingAvailableAt).timeIntervalSince(event.endedAt)
                    #expect(abs(wait - 120) < 0.002, "\(wait)")
                } else {
                    #expect(event.recordingAvailableAt == nil)
                }
            }
            #expect(completed.contains { $0.recordingURL != nil })
            let refusedBeforeIVR = expected.filter { $0.outcome == "rejected" || $0.outcome == "no_flow" }.count
            #expect(events(.callStarted).count == expected.count - refusedBeforeIVR)
            #expect(events(.callAnswered).count == expected.map(\.answers).reduce(0, +))
            #expect(events(.callTransferred).count == expected.map(\.transfers).reduce(0, +))
            #expect(events(.callLost).count == lost)

            // Every line and every agent is free again.
            #expect(try await router.count("SELECT lines_in_use + outbound_in_use FROM callrouter.companies WHERE company_id = '\(company)'") == 0)
            #expect(try await router.count("SELECT count(*) FROM callrouter.users WHERE company_id = '\(company)' AND on_call IS NOT NULL") == 0)
            #expect(try await router.count("SELECT count(*) FROM callrouter.system_log WHERE company_id = '\(company)' AND kind = 'lost-capacity'") == lost)
            await tap.close()
        }
    }

    @Test("Events of one call sent at once are decided one after another: one hang-up ends it, its line and agent are freed once")
    func concurrentEventsOfOneCall() async throws {
        try await withCallRouter(replicas: 2) { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 3)
            let tap = try await EventTap.open("completed", bindings: [EventType.callCompleted.rawValue])
            let phone = ScriptedSwitch(router: router)
            let uid = try #require(try await phone.start(did: office.virtualDID, caller: "+919811122233").uid)
            #expect(try await phone.dtmf(uid, "1").dialled == [office.agents[0]])
            _ = try await phone.answered(uid, by: office.agents[0])
            let other = try #require(try await phone.start(did: office.virtualDID, caller: "+919811122244").uid)
            #expect(try await router.count("SELECT lines_in_use FROM callrouter.companies WHERE company_id = '\(company)'") == 2)

            // Eight hang-ups of the same call, each its own event, at once over both replicas.
            let at = phone.at
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for index in 0..<8 {
                    group.addTask {
                        let reply = try await router.switchCall(
                            "/v1/calls/\(uid)/events", json: #"{"type":"hangup","at":"\#(at)","event_id":"hangup-\#(index)"}"#, replica: index)
                        return (reply.status, (try? reply.json())?["status"] as? String)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.count == 8)
            #expect(statuses.allSatisfy { $0.0 == 200 && $0.1 == "ended" }, "\(statuses)")

            let completed = try await tap.events(matching: { $0.header.correlationID == uid })
            await tap.close()
            #expect(completed.count == 1)
            #expect(try await router.count("SELECT count(*) FROM callrouter.calls WHERE uid = '\(uid)' AND NOT live AND outcome = 'connected'") == 1)
            // Created, then the key, the answer and one hang-up: no decision wrote twice.
            #expect(try await router.count("SELECT version FROM callrouter.calls WHERE uid = '\(uid)'") == 3)
            #expect(try await router.count(
                "SELECT count(*) FROM callrouter.calls, jsonb_array_elements(journey) entry WHERE uid = '\(uid)' AND entry->>'kind' = 'hangup'") == 1)
            // The other call still holds its line; the agent is free.
            #expect(try await router.count("SELECT lines_in_use FROM callrouter.companies WHERE company_id = '\(company)'") == 1)
            #expect(try await router.count("SELECT count(*) FROM callrouter.users WHERE company_id = '\(company)' AND on_call IS NOT NULL") == 0)
            _ = try await phone.hangup(other)
            #expect(try await router.count("SELECT lines_in_use FROM callrouter.companies WHERE company_id = '\(company)'") == 0)
            // Any update counts, also one a replica of an earlier release makes (it locked the row and did not count).
            try await router.database.query("UPDATE callrouter.calls SET disposition = 'sale' WHERE uid = \(UUID(uuidString: uid)!)")
            #expect(try await router.count("SELECT version FROM callrouter.calls WHERE uid = '\(uid)'") == 4)
        }
    }

    @Test("A replica decides from the call it kept only while no other replica moved the call and the company's settings stand")
    func keptCallsGoStale() async throws {
        try await withCallRouter(replicas: 2) { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 3)
            let tap = try await EventTap.open("completed", bindings: [EventType.callCompleted.rawValue])
            let at = ScriptedSwitch(router: router).at
            func send(_ path: String, _ json: String, to replica: Int) async throws -> [String: Any] {
                try await router.switchAnswer(path, json: json, replica: replica)
            }
            func gatherDigits(_ answer: [String: Any]) -> Int? {
                let instructions = answer["instructions"] as? [[String: Any]] ?? []
                return instructions.first { $0["type"] as? String == "gather" }?["max_digits"] as? Int
            }

            // Replica 0 admits the call and keeps it; direct dialing is on, so the menu takes two digits (CR-16).
            let started = try await send(
                "/v1/calls", #"{"did":"\#(office.virtualDID)","caller":"+919811100011","carrier_call_id":"\#(UUID())","at":"\#(at)"}"#, to: 0)
            let uid = try #require(started["uid"] as? String)
            #expect(gatherDigits(started) == 2)

            // The company turns direct dialing off: replica 0's next decision for the call sees it.
            #expect(try await router.call("PATCH", "/v1/callrouter/settings", as: company, json: #"{"direct_dialing":false}"#).status == 200)
            let repeated = try await send("/v1/calls/\(uid)/events", #"{"type":"no_input","at":"\#(at)"}"#, to: 0)
            #expect(gatherDigits(repeated) == 1, "\(repeated)")

            // Replica 0 takes the key and keeps the call ringing the first agent; replica 1 gets the answer.
            let offered = try await send("/v1/calls/\(uid)/events", #"{"type":"dtmf","digits":"1","at":"\#(at)"}"#, to: 0)
            #expect(CallRouterHarness.dialled(offered) == [office.agents[0]])
            let agent = office.agents[0]
            _ = try await send("/v1/calls/\(uid)/events", #"{"type":"offer_answered","agent_id":"\#(agent)","leg":"agent","at":"\#(at)"}"#, to: 1)

            // The agent transfers through replica 0. From the call as replica 0 kept it (ringing) the transfer would be
            // refused (`call.not_connected`); from the call as it is, the agent's colleague on extension 14 rings.
            let moved = try await send(
                "/v1/calls/\(uid)/events", #"{"type":"transfer","by":"agent","agent_id":"\#(agent)","to":{"extension":14},"mode":"blind","at":"\#(at)","event_id":"transfer-1"}"#,
                to: 0)
            #expect(CallRouterHarness.dialled(moved) == [office.agents[3]], "\(moved)")

            // Replica 1 ends the call; replica 0, which kept it live, answers a resent transfer and a late hang-up with
            // the ended call, not with what it answered before.
            _ = try await send("/v1/calls/\(uid)/events", #"{"type":"hangup","at":"\#(at)"}"#, to: 1)
            let resent = try await send(
                "/v1/calls/\(uid)/events", #"{"type":"transfer","by":"agent","agent_id":"\#(agent)","to":{"extension":14},"mode":"blind","at":"\#(at)","event_id":"transfer-1"}"#,
                to: 0)
            #expect(resent["status"] as? String == "ended", "\(resent)")
            let late = try await send("/v1/calls/\(uid)/events", #"{"type":"hangup","at":"\#(at)"}"#, to: 0)
            #expect(late["status"] as? String == "ended")
            let completed = try await tap.events(matching: { $0.header.correlationID == uid })
            await tap.close()
            #expect(completed.count == 1)
            // Admitted, then the no-input, the key, the answer, the transfer and the hang-up: five updates, each once.
            #expect(try await router.count("SELECT version FROM callrouter.calls WHERE uid = '\(uid)'") == 5)
            #expect(try await router.count("SELECT lines_in_use FROM callrouter.companies WHERE company_id = '\(company)'") == 0)
            #expect(try await router.count("SELECT count(*) FROM callrouter.users WHERE company_id = '\(company)' AND on_call IS NOT NULL") == 0)
        }
    }

    @Test("A kept copy is decided from only while it is the row: not after a crash lost its commit; a rotation moves once, also after a settings change")
    func keptCopyIsCheckedAgainstTheRow() async throws {
        try await withCallRouter(replicas: 2) { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 3)
            let at = ScriptedSwitch(router: router).at
            func dialled(_ path: String, _ json: String) async throws -> [String]? {
                CallRouterHarness.dialled(try await router.switchAnswer(path, json: json, replica: 0))
            }
            /// A new call admitted, and so kept, by replica 0.
            func start(_ caller: String) async throws -> String {
                let json = #"{"did":"\#(office.virtualDID)","caller":"\#(caller)","carrier_call_id":"\#(UUID())","at":"\#(at)"}"#
                return try #require(try await router.switchAnswer("/v1/calls", json: json, replica: 0)["uid"] as? String)
            }
            let uid = try await start("+919811100012")
            let callID = try #require(UUID(uuidString: uid))
            var menu = ""
            for try await row in try await router.database.query("SELECT state::text FROM callrouter.calls WHERE uid = \(callID)") {
                menu = try row.decode(String.self)
            }

            // Replica 0 takes key 1 (no event: an asynchronous commit) and keeps the call ringing Sales.
            #expect(try await dialled("/v1/calls/\(uid)/events", #"{"type":"dtmf","digits":"1","at":"\#(at)"}"#) == [office.agents[0]])
            // The database crashes and loses that commit; another replica then decides an event of the call from the
            // menu and writes the same version again. Here: the row goes back to the menu at the same version, with
            // the trigger that counts updates off for this one statement.
            try await router.database.withTransaction { transaction in
                try await transaction.query("SET LOCAL session_replication_role = replica")
                try await transaction.query(
                    "UPDATE callrouter.calls SET state = \(menu)::jsonb, revision = gen_random_uuid() WHERE uid = \(callID) AND version = 1")
            }
            #expect(try await router.count("SELECT version FROM callrouter.calls WHERE uid = '\(uid)'") == 1)

            // Key 2 on replica 0 is decided from the menu, where the call is: Support rings, all at once.
            #expect(try await dialled("/v1/calls/\(uid)/events", #"{"type":"dtmf","digits":"2","at":"\#(at)"}"#) == Array(office.agents[3..<6]))
            #expect(try await router.count("SELECT version FROM callrouter.calls WHERE uid = '\(uid)'") == 2)

            // D-04: a balanced department's rotation moves on only for a decision made from the call as it is. Replica 1
            // takes a no-input of a second call; replica 0, which kept that call from before, gets its key 3.
            let secondUID = try await start("+919811100013")
            #expect(try await router.switchCall("/v1/calls/\(secondUID)/events", json: #"{"type":"no_input","at":"\#(at)"}"#, replica: 1).status == 200)
            #expect(try await dialled("/v1/calls/\(secondUID)/events", #"{"type":"dtmf","digits":"3","at":"\#(at)"}"#) == [office.agents[6]])
            #expect(try await router.count(
                "SELECT count(*) FROM callrouter.departments WHERE id = '\(office.accounts)' AND last_offered = '\(office.agents[6])'") == 1)

            // The same when the company's settings changed since replica 0 kept a third call: the next in turn rings.
            let thirdUID = try await start("+919811100014")
            #expect(try await router.call("PATCH", "/v1/callrouter/settings", as: company, json: #"{"sticky_window_days":14}"#).status == 200)
            #expect(try await dialled("/v1/calls/\(thirdUID)/events", #"{"type":"dtmf","digits":"3","at":"\#(at)"}"#) == [office.agents[7]])
            #expect(try await router.count(
                "SELECT count(*) FROM callrouter.departments WHERE id = '\(office.accounts)' AND last_offered = '\(office.agents[7])'") == 1)
        }
    }

    @Test("D-04, CR-45: a resent event gets its first answer also after keys pressed while ringing came in between")
    func resentEventAfterIgnoredKeys() async throws {
        try await withCallRouter(replicas: 2) { router in
            let office = try await TelephonyOffice.create(router, company: CompanyID(), lines: 2)
            let phone = ScriptedSwitch(router: router)
            let a = office.agents
            let uid = try #require(try await phone.start(did: office.virtualDID, caller: "+919811155511").uid)
            #expect(try await phone.dtmf(uid, "1").dialled == [a[0]])
            #expect(try await phone.event(uid, "offer_timeout", eventID: "timeout-1").dialled == [a[1]])
            // The caller presses a key while the second agent rings: nothing moves (CR-45).
            #expect(try await phone.dtmf(uid, "5", eventID: "keys-1").instructions.isEmpty)
            // The switch never got the timeout's answer and sends it again: the same answer, not the third agent.
            let again = try await phone.event(uid, "offer_timeout", eventID: "timeout-1")
            #expect(again.dialled == [a[1]], "\(again.raw)")
            #expect(try await phone.answered(uid, by: a[1]).callStatus == "live")
            _ = try await phone.hangup(uid)
            #expect(try await router.count("SELECT count(*) FROM callrouter.calls WHERE uid = '\(uid)' AND agent_id = '\(a[1])'") == 1)
        }
    }

    @Test("CR-61: a caller who hangs up to finish a voicemail is logged as a voicemail with its recording")
    func voicemailEndedByHangup() async throws {
        try await withCallRouter { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 2)
            let phone = ScriptedSwitch(router: router)
            let uid = try #require(try await phone.start(did: office.virtualDID, caller: "+919811155521").uid)
            _ = try await phone.dtmf(uid, "1")
            _ = try await phone.event(uid, "offer_timeout")
            _ = try await phone.event(uid, "offer_timeout")
            #expect(try await phone.event(uid, "offer_timeout").types == ["record_voicemail"])
            _ = try await phone.hangup(uid, recording: "https://rec.example/vm-\(uid).mp3")
            let rows = try await router.database.query(
                "SELECT outcome, voicemail_url, recording_url FROM callrouter.calls WHERE uid = \(UUID(uuidString: uid)!)")
            var found: [(String?, String?, String?)] = []
            for try await row in rows.decode((String?, String?, String?).self) { found.append(row) }
            #expect(found.count == 1)
            #expect(found.first?.0 == "voicemail")
            #expect(found.first?.1 == "https://rec.example/vm-\(uid).mp3")
            #expect(found.first?.2 == nil)

            // CR-59, CR-61: the voicemail plays once processed, two minutes after the call ended.
            func logged(_ uid: String, user: UserID = UserID(), role: Role = .owner) async throws -> [String: any Sendable] {
                let reply = try await router.call("GET", "/v1/calls/\(uid)", as: company, user: user, role: role)
                let call = try reply.json()["call"] as? [String: any Sendable]
                return try #require(call, "\(reply.text)")
            }
            func age(_ uid: String) async throws {
                try await router.database.query(
                    "UPDATE callrouter.calls SET ended_at = ended_at - interval '3 minutes' WHERE uid = \(UUID(uuidString: uid)!)")
            }
            #expect(try await logged(uid)["voicemail_status"] as? String == "processing")
            #expect(try await logged(uid)["voicemail_url"] == nil)
            #expect(try await logged(uid)["recording_status"] as? String == "absent")
            try await age(uid)
            #expect(try await logged(uid)["voicemail_status"] as? String == "available")
            #expect(try await logged(uid)["voicemail_url"] as? String == "https://rec.example/vm-\(uid).mp3")

            // CR-59, X-05: the agent who took a recorded call sees it in the log, but not its recording; a manager does.
            let talk = try #require(try await phone.start(did: office.virtualDID, caller: "+919811155522").uid)
            let agent = try #require(try await phone.dtmf(talk, "1").dialled?.first)
            _ = try await phone.answered(talk, by: agent)
            _ = try await phone.hangup(talk, recording: "https://rec.example/call-\(talk).mp3")
            try await age(talk)
            let own = try await logged(talk, user: try #require(UserID(agent)), role: .agent)
            #expect(own["recording_status"] as? String == "restricted")
            #expect(own["recording_url"] == nil)
            let managed = try await logged(talk, role: .admin)
            #expect(managed["recording_status"] as? String == "available")
            #expect(managed["recording_url"] as? String == "https://rec.example/call-\(talk).mp3")
        }
    }

    @Test("Bad switch input is a 400 naming the field: an `at` a day away from now, an inbound answer without agent_id")
    func switchInputChecked() async throws {
        try await withCallRouter { router in
            let office = try await TelephonyOffice.create(router, company: CompanyID(), lines: 2)
            let phone = ScriptedSwitch(router: router)
            for at in ["1900-01-01T00:00:00Z", "9999-12-31T23:59:59Z"] {
                let call = try await router.switchCall(
                    "/v1/calls", json: #"{"did":"\#(office.virtualDID)","carrier_call_id":"\#(UUID())","at":"\#(at)"}"#)
                #expect(call.status == 400)
                #expect(try call.errorCode() == "call.at.out_of_range")
            }
            let uid = try #require(try await phone.start(did: office.virtualDID, caller: "+919811155531").uid)
            _ = try await phone.dtmf(uid, "1")
            let late = try await router.switchCall("/v1/calls/\(uid)/events", json: #"{"type":"hangup","at":"9999-12-31T23:59:59Z"}"#)
            #expect(late.status == 400)
            #expect(try late.errorCode() == "call.at.out_of_range")
            let nameless = try await phone.event(uid, "offer_answered", #""leg":"agent""#, expect: 400)
            #expect(nameless.raw.contains("agent_id"))
            _ = try await phone.hangup(uid)
            #expect(try await router.count("SELECT count(*) FROM callrouter.calls WHERE uid = '\(uid)' AND NOT live AND outcome = 'missed'") == 1)
        }
    }

    @Test("CR-48, CR-52, D-07: a lost call sent again, at once or later, also after a line came free, is answered lost again and announced once")
    func resentLostCall() async throws {
        try await withCallRouter(replicas: 2) { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 1)
            let phone = ScriptedSwitch(router: router)
            let tap = try await EventTap.open("resent_lost", bindings: [EventType.callStarted.rawValue, EventType.callLost.rawValue])
            let first = try #require(try await phone.start(did: office.virtualDID, caller: "+919811155501").uid)
            let carrierID = UUID().uuidString
            let body = #"{"did":"\#(office.virtualDID)","caller":"+919811155502","carrier_call_id":"\#(carrierID)","at":"\#(phone.at)"}"#
            func send(_ index: Int) async throws -> (Int, String?) {
                let reply = try await router.switchCall("/v1/calls", json: body, replica: index)
                return (reply.status, (try? reply.json())?["status"] as? String)
            }
            #expect(try await send(0) == (200, "lost"))
            let together = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for index in 0..<5 { group.addTask { try await send(index) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(together.allSatisfy { $0 == (200, "lost") }, "\(together)")
            // The line comes free; the resend is still the same lost call, not a new one.
            _ = try await phone.hangup(first)
            #expect(try await send(1) == (200, "lost"))
            #expect(try await router.count("SELECT count(*) FROM callrouter.calls WHERE carrier_call_id = '\(carrierID)'") == 0)
            #expect(try await router.count(
                "SELECT count(*) FROM callrouter.system_log WHERE company_id = '\(company)' AND kind = 'lost-capacity'") == 1)
            let announced = try await tap.events(matching: { $0.header.type == .callLost && $0.mentions(carrierID) }, timeout: .seconds(20), linger: .seconds(2))
            await tap.close()
            #expect(announced.count == 1)
            #expect(try await router.count("SELECT lines_in_use FROM callrouter.companies WHERE company_id = '\(company)'") == 0)
        }
    }

    @Test("D-07: the same call sent many times at once on a company's last line is admitted once and never answered as lost")
    func duplicateCallOnTheLastLine() async throws {
        try await withCallRouter(replicas: 2) { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 1)
            let tap = try await EventTap.open("admitted_or_lost", bindings: [EventType.callStarted.rawValue, EventType.callLost.rawValue])
            let at = ScriptedSwitch(router: router).at
            let carrierID = UUID().uuidString
            let body = #"{"did":"\#(office.virtualDID)","caller":"+919811155566","carrier_call_id":"\#(carrierID)","at":"\#(at)"}"#
            let answers = try await withThrowingTaskGroup(of: (Int, String?, String?).self) { group in
                for index in 0..<10 {
                    group.addTask {
                        let reply = try await router.switchCall("/v1/calls", json: body, replica: index)
                        let object = try? reply.json()
                        return (reply.status, object?["uid"] as? String, object?["status"] as? String)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count == 10)
            #expect(answers.allSatisfy { $0.0 == 200 && $0.2 == "live" }, "\(answers)")
            #expect(Set(answers.compactMap(\.1)).count == 1, "every answer names the one call")
            #expect(try await router.count("SELECT count(*) FROM callrouter.calls WHERE carrier_call_id = '\(carrierID)'") == 1)
            #expect(try await router.count("SELECT count(*) FROM callrouter.system_log WHERE company_id = '\(company)'") == 0)
            // Announced once as started, never as lost. All ten were answered, so whatever they wrote is committed, and
            // the relay publishes it well within the second the tap reads on after the start.
            let uid = try #require(answers.first?.1)
            let announced = try await tap.events { $0.contains { $0.header.correlationID == uid } }
            await tap.close()
            #expect(announced.filter { $0.header.correlationID == uid }.map(\.header.type) == [.callStarted])
            #expect(!announced.contains { $0.header.type == .callLost && $0.mentions(carrierID) })
            #expect(try await router.count("SELECT lines_in_use FROM callrouter.companies WHERE company_id = '\(company)'") == 1)
        }
    }
}

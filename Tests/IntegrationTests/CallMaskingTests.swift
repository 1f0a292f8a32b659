import CallRouter
import Contracts
import Foundation
import ServiceKit
import Testing

/// CR-75 through the API, a scripted switch and the broker.
@Suite("CallRouter call masking")
struct CallMaskingTests {
    @Test("CR-75: on a masking number agents' phones show the virtual number, agents' logs hide the caller, and a callback goes through the same number by click-to-call")
    func cr75CallMasking() async throws {
        try await withCallRouter { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 4)
            let number = TelephonyOffice.randomNumber()
            try await router.rent(number, to: company)
            let created = try await router.create(
                "/v1/dids", as: company, json: #"{"number":"\#(number)","type":"virtual","flow_id":"\#(office.flow)","call_masking":true}"#)
            #expect(created["call_masking"] as? Bool == true)
            let tap = try await EventTap.open(
                "masked-calls", bindings: [EventType.callStarted.rawValue, EventType.callAnswered.rawValue, EventType.callCompleted.rawValue])
            let phone = ScriptedSwitch(router: router)
            func callerID(_ answer: ScriptedSwitch.Answer) -> String? {
                answer.instructions.first { $0["type"] as? String == "dial" }?["caller_id"] as? String
            }

            // The same menu and department on both numbers: only the masking one shows its own number to the agents.
            let plain = try #require(try await phone.start(did: office.virtualDID, caller: "+919811155572").uid)
            let plainOffer = try await phone.dtmf(plain, "1")
            #expect(plainOffer.types.contains("dial"))
            #expect(callerID(plainOffer) == nil, "the switch shows the caller's own number")
            _ = try await phone.hangup(plain)
            let uid = try #require(try await phone.start(did: number, caller: "+919811155571").uid)
            let offer = try await phone.dtmf(uid, "1")
            let agent = try #require(offer.dialled?.first)
            #expect(callerID(offer) == number)
            _ = try await phone.answered(uid, by: agent)
            _ = try await phone.hangup(uid)

            // The agent sees the last four digits; an admin and the CRM's event keep the number (the audit trail).
            let agentID = try #require(UserID(agent))
            let seen = try #require(try await router.call("GET", "/v1/calls/\(uid)", as: company, user: agentID, role: .agent).json()["call"] as? [String: any Sendable])
            #expect(seen["customer"] as? String == "+XXXXXXXX5571")
            #expect(seen["masked"] as? Bool == true)
            let listed = try await router.call("GET", "/v1/calls", as: company, user: agentID, role: .agent).json()
            let rows = try #require(listed["items"] as? [[String: any Sendable]])
            #expect(rows.first { $0["uid"] as? String == uid }?["customer"] as? String == "+XXXXXXXX5571")
            let audited = try #require(try await router.call("GET", "/v1/calls/\(uid)", as: company).json()["call"] as? [String: any Sendable])
            #expect(audited["customer"] as? String == "+919811155571")
            // Every event of the call says so, from its start, for the CRM to keep the number from its agents too.
            let announced = try await tap.events(timeout: .seconds(20)) { events in
                Set(events.filter { $0.mentions(uid) }.map(\.header.type)) == [.callStarted, .callAnswered, .callCompleted]
            }
            let ofCall = announced.filter { $0.mentions(uid) }
            let event = try #require(ofCall.first { $0.header.type == .callCompleted }).decode(CallCompleted.self).data
            #expect(event.customer?.e164 == "+919811155571")
            #expect(event.masked == true)
            #expect(try #require(ofCall.first { $0.header.type == .callStarted }).decode(CallStarted.self).data.masked == true)
            #expect(try #require(ofCall.first { $0.header.type == .callAnswered }).decode(CallAnswered.self).data.masked == true)
            let plainEvents = announced.filter { $0.mentions(plain) }
            #expect(plainEvents.contains { $0.header.type == .callStarted })
            #expect(try plainEvents.filter { $0.header.type == .callStarted }.allSatisfy { try $0.decode(CallStarted.self).data.masked == nil })
            // An agent's search by the caller's number does not confirm it; the unmasked call is found as before.
            let searched = try await router.call("GET", "/v1/calls?customer=%2B919811155571", as: company, user: agentID, role: .agent).json()
            #expect((searched["items"] as? [[String: any Sendable]])?.isEmpty == true)
            let byAdmin = try await router.call("GET", "/v1/calls?customer=%2B919811155571", as: company).json()
            #expect((byAdmin["items"] as? [[String: any Sendable]])?.compactMap { $0["uid"] as? String } == [uid])
            // The mark is the row's: a state saved without it (by a replica of the previous release) still hides the caller.
            #expect(try await router.count(
                "WITH u AS (UPDATE callrouter.calls SET state = state - 'masked' WHERE uid = '\(uid)' RETURNING 1) SELECT count(*) FROM u") == 1)
            let resaved = try #require(try await router.call("GET", "/v1/calls/\(uid)", as: company, user: agentID, role: .agent).json()["call"] as? [String: any Sendable])
            #expect(resaved["customer"] as? String == "+XXXXXXXX5571")
            await tap.close()

            // A callback by the call's uid: the agent's phone rings first showing the virtual number, then the platform
            // dials the customer from it; the new call is masked for the agent too.
            let web = try await router.call(
                "POST", "/v1/calls/outbound", as: company, user: agentID, role: .agent, json: #"{"callback_of":"\#(uid)","method":"web_call"}"#)
            #expect(web.status == 422)
            #expect(try web.errorCode() == "call.callback.method")
            let both = try await router.call(
                "POST", "/v1/calls/outbound", as: company, user: agentID, role: .agent, json: #"{"callback_of":"\#(uid)","customer":"+919811155571"}"#)
            #expect(both.status == 400)
            #expect(try both.errorCode() == "call.customer.ambiguous")
            let placed = try await router.call("POST", "/v1/calls/outbound", as: company, user: agentID, role: .agent, json: #"{"callback_of":"\#(uid)"}"#)
            #expect(placed.status == 201, "\(placed.text)")
            #expect(!placed.text.contains("9811155571"), "the agent's client never gets the customer's number")
            let callback = try #require(try placed.json()["uid"] as? String)
            let agentLeg = try #require((try placed.json()["instructions"] as? [[String: any Sendable]])?.first)
            #expect(agentLeg["caller_id"] as? String == number)
            let customerLeg = try await phone.answered(callback, by: agent, leg: "agent")
            let dial = try #require(customerLeg.instructions.first { $0["type"] as? String == "dial" })
            #expect(dial["customer"] as? String == "+919811155571")
            #expect(dial["caller_id"] as? String == number)
            _ = try await phone.hangup(callback)
            // Through another of the company's numbers: still masked, and not found by the caller's number.
            let viaOther = try await router.call(
                "POST", "/v1/calls/outbound", as: company, user: agentID, role: .agent, json: #"{"callback_of":"\#(uid)","caller_id":"\#(office.virtualDID)"}"#)
            #expect(viaOther.status == 201, "\(viaOther.text)")
            let second = try #require(try viaOther.json()["uid"] as? String)
            _ = try await phone.hangup(second)
            #expect(try await router.count("SELECT count(*) FROM callrouter.calls WHERE uid = '\(second)' AND masked") == 1)
            let searchedAgain = try await router.call("GET", "/v1/calls?customer=%2B919811155571", as: company, user: agentID, role: .agent).json()
            #expect((searchedAgain["items"] as? [[String: any Sendable]])?.isEmpty == true)
            let back = try #require(try await router.call("GET", "/v1/calls/\(callback)", as: company, user: agentID, role: .agent).json()["call"] as? [String: any Sendable])
            #expect(back["customer"] as? String == "+XXXXXXXX5571")
            #expect(back["direction"] as? String == "outbound")
            // Another agent cannot call back a call that is not theirs.
            let stranger = try #require(UserID(office.agents.first { $0 != agent } ?? ""))
            #expect(try await router.call("POST", "/v1/calls/outbound", as: company, user: stranger, role: .agent, json: #"{"callback_of":"\#(uid)"}"#).status == 404)

            // Turning masking off leaves the next call's caller visible; a remap without the flag keeps it as it is.
            let path = "/v1/dids/\(number.replacingOccurrences(of: "+", with: "%2B"))"
            let remapped = try await router.call("PATCH", path, as: company, json: #"{"flow_id":"\#(office.flow)"}"#)
            #expect(try remapped.json()["call_masking"] as? Bool == true)
            let off = try await router.call("PATCH", path, as: company, json: #"{"flow_id":"\#(office.flow)","call_masking":false}"#)
            #expect(try off.json()["call_masking"] as? Bool == false)
            let after = try #require(try await phone.start(did: number, caller: "+919811155573").uid)
            #expect(callerID(try await phone.dtmf(after, "1")) == nil)
            _ = try await phone.hangup(after)
        }
    }
}

import CallRouter
import Contracts
import Foundation
import ServiceKit
import Testing

/// CR-74 through the API, a scripted switch and the broker.
@Suite("CallRouter Missed Call Service")
struct MissedCallServiceTests {
    @Test("CR-74: a Missed Call Service number drops every call after two rings, logs it missed at no cost and announces it for follow-up")
    func cr74MissedCallService() async throws {
        try await withCallRouter { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 2)
            let number = TelephonyOffice.randomNumber()
            try await router.rent(number, to: company)
            let both = try await router.call(
                "POST", "/v1/dids", as: company, json: #"{"number":"\#(number)","type":"virtual","missed_call_service":true,"flow_id":"\#(office.flow)"}"#)
            #expect(both.status == 422)
            #expect(try both.errorCode() == "did.missed_call.flow")
            let created = try await router.create("/v1/dids", as: company, json: #"{"number":"\#(number)","type":"virtual","missed_call_service":true}"#)
            #expect(created["missed_call_service"] as? Bool == true)

            let tap = try await EventTap.open("missed-call", bindings: [EventType.callCompleted.rawValue])
            let phone = ScriptedSwitch(router: router)
            let answer = try await phone.start(did: number, caller: "+919811155561")
            #expect(answer.callStatus == "ended")
            #expect(answer.types == ["hangup"])
            #expect(answer.hangupReason == "missed_call_service")
            #expect(answer.instructions.first?["after_rings"] as? Int == 2)
            let uid = try #require(answer.uid)
            let logged = try #require(try await router.call("GET", "/v1/calls/\(uid)", as: company).json()["call"] as? [String: any Sendable])
            #expect(logged["status"] as? String == "missed")
            #expect(logged["missed_call_service"] as? Bool == true)
            #expect(logged["duration_seconds"] as? Int == 0, "never picked up: the caller pays nothing")
            let completed = try await tap.events(matching: { $0.mentions(uid) }, timeout: .seconds(20))
            #expect(completed.count == 1)
            let event = try #require(completed.first).decode(CallCompleted.self).data
            #expect(event.missedCallService == true)
            #expect(event.outcome == .missed)
            #expect(event.pickedUpAt == nil)
            await tap.close()

            // A blocked caller is still rejected first; mapped to a flow again, the number answers.
            #expect(try await phone.start(did: number, caller: office.blockedCaller).hangupReason == "blocked")
            let mapped = try await router.call("PATCH", "/v1/dids/\(number.replacingOccurrences(of: "+", with: "%2B"))", as: company, json: #"{"flow_id":"\#(office.flow)"}"#)
            #expect(mapped.status == 200, "\(mapped.text)")
            #expect(try mapped.json()["missed_call_service"] as? Bool == false)
            #expect(try await phone.start(did: number, caller: "+919811155562").callStatus == "live")
        }
    }
}

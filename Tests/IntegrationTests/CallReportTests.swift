import CallRouter
import Contracts
import Foundation
import PostgresNIO
import ServiceKit
import Storage
import Testing

/// `GET /v1/reports/calls` over calls a scripted switch made.
@Suite("CallRouter call reports")
struct CallReportAPITests {
    @Test("X-20, X-04: volume, answer rate and on-call time per department and per user, scoped to what the caller sees")
    func x20CallReport() async throws {
        try await withCallRouter { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 2)
            let phone = ScriptedSwitch(router: router)
            // Sales: one answered call of 90 s of talk, one left to voicemail.
            let talk = try #require(try await phone.start(did: office.virtualDID, caller: "+919811155531").uid)
            let agent = try #require(try await phone.dtmf(talk, "1").dialled?.first)
            _ = try await phone.answered(talk, by: agent)
            _ = try await phone.hangup(talk)
            try await router.database.query(
                "UPDATE callrouter.calls SET answered_at = ended_at - interval '90 seconds' WHERE uid = \(try #require(UUID(uuidString: talk)))")
            let missed = try #require(try await phone.start(did: office.virtualDID, caller: "+919811155532").uid)
            _ = try await phone.dtmf(missed, "1")
            for _ in 0..<3 { _ = try await phone.event(missed, "offer_timeout") }
            _ = try await phone.hangup(missed, recording: "https://rec.example/vm-\(missed).mp3")
            // A live call is not counted until it ends.
            _ = try #require(try await phone.start(did: office.virtualDID, caller: "+919811155533").uid)

            let report = try await router.call("GET", "/v1/reports/calls?group_by=department", as: company).json()
            #expect(report["period"] as? String == "today")
            #expect(report["time_zone"] as? String == "Asia/Kolkata")
            let totals = try #require(report["totals"] as? [String: any Sendable])
            #expect(totals["calls"] as? Int == 2)
            #expect(totals["answered"] as? Int == 1)
            #expect(totals["unanswered"] as? Int == 1)
            #expect(totals["answer_rate"] as? Double == 50)
            #expect(totals["on_call_seconds"] as? Int == 90)
            let groups = try #require(report["groups"] as? [[String: any Sendable]])
            #expect(groups.count == 1)
            #expect(groups.first?["key"] as? String == office.sales)
            #expect(groups.first?["name"] as? String == "Sales")

            // An agent's report holds their own calls only.
            let own = try await router.call(
                "GET", "/v1/reports/calls?group_by=user&period=last_7_days", as: company, user: try #require(UserID(agent)), role: .agent).json()
            let mine = try #require(own["groups"] as? [[String: any Sendable]])
            #expect(mine.count == 1)
            #expect(mine.first?["key"] as? String == agent)
            #expect((mine.first?["metrics"] as? [String: any Sendable])?["calls"] as? Int == 1)
            #expect((mine.first?["metrics"] as? [String: any Sendable])?["average_talk_seconds"] as? Int == 90)
            #expect((mine.first?["metrics"] as? [String: any Sendable])?["answer_rate"] == nil, "a user's calls are all answered ones")
            #expect((own["totals"] as? [String: any Sendable])?["answer_rate"] as? Double == 100)

            let byNumber = try await router.call("GET", "/v1/reports/calls?group_by=number&direction=inbound", as: company).json()
            #expect((byNumber["groups"] as? [[String: any Sendable]])?.first?["key"] as? String == office.virtualDID)
            let yesterday = try await router.call("GET", "/v1/reports/calls?period=yesterday", as: company).json()
            #expect((yesterday["totals"] as? [String: any Sendable])?["calls"] as? Int == 0)

            for (query, field) in [
                ("group_by=team", "group_by"), ("period=week", "period"), ("from=2026-11-01T00:00:00Z", "to"),
                ("period=today&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z", "period"),
                ("from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z", "to"),
            ] {
                let bad = try await router.call("GET", "/v1/reports/calls?\(query)", as: company)
                #expect(bad.status == 400, "\(query)")
                #expect(try bad.errorCode() == "request.query_invalid")
                #expect((try bad.json()["error"] as? [String: any Sendable])?["field"] as? String == field, "\(query)")
            }
            #expect(try await router.call("GET", "/v1/reports/calls", as: company, role: .billing).status == 403)
        }
    }
}

import AsyncHTTPClient
import CallRouter
import Contracts
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit
import Testing

/// CR-58 and CR-60 through the API and a scripted switch.
@Suite("CallRouter call log time filters and recordings")
struct CallLogAccessTests {
    /// Minutes since midnight now, on a New York clock.
    static func minuteNow() -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/New_York")!
        let parts = calendar.dateComponents([.hour, .minute], from: Date())
        return (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
    }

    static func clock(_ minutes: Int) -> String {
        let minutes = (minutes % 1_440 + 1_440) % 1_440
        return String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }

    @Test("CR-58: time_from and time_to keep the calls started in that time of day on the company's clock, also across midnight; one end alone is 400; zones are IANA names")
    func cr58TimeOfDayFilter() async throws {
        try await withCallRouter { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 2)
            // The company's clock, not the server's or India's: New York is 9.5 or 10.5 hours from Kolkata.
            #expect(try await router.call("PATCH", "/v1/callrouter/settings", as: company, json: #"{"time_zone":"America/New_York"}"#).status == 200)
            let abbreviation = try await router.call("PATCH", "/v1/callrouter/settings", as: company, json: #"{"time_zone":"IST"}"#)
            #expect(try abbreviation.errorCode() == "settings.time_zone.invalid")
            let phone = ScriptedSwitch(router: router)
            let uid = try #require(try await phone.start(did: office.virtualDID, caller: "+919811155581").uid)
            _ = try await phone.hangup(uid)
            let now = Self.minuteNow()
            func found(_ from: Int, _ to: Int) async throws -> [String] {
                let page = try await router.call("GET", "/v1/calls?time_from=\(Self.clock(from))&time_to=\(Self.clock(to))", as: company).json()
                return (page["items"] as? [[String: any Sendable]])?.compactMap { $0["uid"] as? String } ?? []
            }
            #expect(try await found(now - 10, now + 10) == [uid])
            #expect(try await found(now + 60, now + 120) == [])
            // A window that runs past midnight: from an hour after now round to ten minutes after now.
            #expect(try await found(now + 60, now + 10) == [uid])
            #expect(try await found(now + 10, now - 10) == [])
            let half = try await router.call("GET", "/v1/calls?time_from=09:00", as: company)
            #expect(half.status == 400)
            #expect(try (half.json()["error"] as? [String: any Sendable])?["field"] as? String == "time_to")
            let bad = try await router.call("GET", "/v1/calls?time_from=9:00&time_to=18:00", as: company)
            #expect(try bad.errorCode() == "request.query_invalid")
            #expect(try (bad.json()["error"] as? [String: any Sendable])?["field"] as? String == "time_from")
            // A date Foundation reads but no database keeps: refused at the edge. It killed the process before (postgres-nio
            // traps encoding it), so the call after it shows the service still answers.
            for far in ["from=300000-01-01T00:00:00Z", "to=294277-01-05T00:00:00Z", "before=300000-01-01T00:00:00Z%7C\(uid)"] {
                let refused = try await router.call("GET", "/v1/calls?\(far)", as: company)
                #expect(refused.status == 400, "\(far)")
            }
            #expect(try await router.call("GET", "/v1/calls", as: company).status == 200)
        }
    }

    @Test("CR-60, CR-59: a call's recording is one MP3 fetched by a redirect once processed; 409 with Retry-After while processing, 403 for agents, 404 when there is none")
    func cr60RecordingDownload() async throws {
        try await withCallRouter { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 2)
            let phone = ScriptedSwitch(router: router)
            let uid = try #require(try await phone.start(did: office.virtualDID, caller: "+919811155582").uid)
            let offer = try await phone.dtmf(uid, "1")
            let agent = try #require(offer.dialled?.first)
            _ = try await phone.answered(uid, by: agent)
            let url = "https://recordings.example.com/\(uid).mp3"
            _ = try await phone.hangup(uid, recording: url)

            let processing = try await router.call("GET", "/v1/calls/\(uid)/recording", as: company)
            #expect(processing.status == 409)
            #expect(try processing.errorCode() == "recording.processing")
            #expect(Int(processing.headers["retry-after"] ?? "") ?? 0 > 0)
            let agentID = try #require(UserID(agent))
            let byAgent = try await router.call("GET", "/v1/calls/\(uid)/recording", as: company, user: agentID, role: .agent)
            #expect(byAgent.status == 403)
            let voicemail = try await router.call("GET", "/v1/calls/\(uid)/voicemail", as: company)
            #expect(voicemail.status == 404)
            #expect(try voicemail.errorCode() == "voicemail.not_found")

            // Two minutes later (the call's end moved back), a redirect to the one file.
            #expect(try await router.count(
                "WITH c AS (UPDATE callrouter.calls SET ended_at = ended_at - interval '3 minutes' WHERE uid = '\(uid)' RETURNING 1) SELECT count(*) FROM c") == 1)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            var request = HTTPClientRequest(url: router.api.base.absoluteString + "/v1/calls/\(uid)/recording")
            request.headers.add(name: "Authorization", value: "Bearer \(try await router.api.token(company))")
            let response = try await client.execute(request, timeout: .seconds(30))
            try await client.shutdown()
            #expect(response.status == .found)
            #expect(response.headers.first(name: "Location") == url)
            let other = try await router.call("GET", "/v1/calls/\(uid)/recording", as: CompanyID())
            #expect(other.status == 404, "another company's call is not found")
        }
    }
}

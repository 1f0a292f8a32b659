import CallRouter
import Contracts
import Foundation
import ServiceKit
import Testing

/// CR-25 through the API and a scripted switch.
@Suite("CallRouter music on hold")
struct MusicOnHoldTests {
    @Test("CR-25: a department's .mp3 is validated at the edge and sent with its dial instruction; null removes it")
    func cr25DepartmentMusic() async throws {
        try await withCallRouter { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 2)
            let wav = try await router.call("PATCH", "/v1/departments/\(office.sales)", as: company, json: #"{"music_on_hold":"hold.wav"}"#)
            #expect(wav.status == 422)
            #expect(try wav.errorCode() == "department.music_on_hold.invalid")
            #expect((try wav.json()["error"] as? [String: any Sendable])?["field"] as? String == "music_on_hold")
            let set = try await router.call("PATCH", "/v1/departments/\(office.sales)", as: company, json: #"{"music_on_hold":"licensed/sales-hold.mp3"}"#)
            #expect(try set.json()["music_on_hold"] as? String == "licensed/sales-hold.mp3")

            let phone = ScriptedSwitch(router: router)
            func music(_ caller: String) async throws -> Any? {
                let uid = try #require(try await phone.start(did: office.virtualDID, caller: caller).uid)
                let answer = try await phone.dtmf(uid, "1")
                let dial = try #require(answer.instructions.first { $0["type"] as? String == "dial" }, "\(answer.raw)")
                _ = try await phone.hangup(uid)
                return dial["music_on_hold"]
            }
            #expect(try await music("+919811155541") as? String == "licensed/sales-hold.mp3")
            let cleared = try await router.call("PATCH", "/v1/departments/\(office.sales)", as: company, json: #"{"music_on_hold":null}"#)
            #expect(cleared.status == 200)
            #expect(try cleared.json()["music_on_hold"] == nil)
            #expect(try await music("+919811155542") == nil, "the switch's own ringback")
        }
    }
}

@testable import CallRouter
import Foundation
import ServiceKit
import Testing

@Suite("CallRouter recording access")
struct RecordingAccessTests {
    static let ended = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("CR-59, X-05: a call recording plays only for roles with recordings.access, and only two minutes after the call ended")
    func cr59RecordingNeedsPermissionAndProcessing() {
        let url = "https://rec.example/call.mp3"
        for role in [Role.owner, .admin, .manager] {
            #expect(RecordingAccess(.recording, url: url, endedAt: Self.ended, role: role, now: Self.ended + 119) == .processing)
            #expect(RecordingAccess(.recording, url: url, endedAt: Self.ended, role: role, now: Self.ended + 120) == .available)
            #expect(RecordingAccess(.recording, url: url, endedAt: nil, role: role, now: Self.ended) == .processing, "live")
        }
        for role in [Role.agent, .billing] {
            #expect(RecordingAccess(.recording, url: url, endedAt: Self.ended, role: role, now: Self.ended + 3_600) == .restricted)
        }
        #expect(RecordingAccess(.recording, url: nil, endedAt: Self.ended, role: .owner, now: Self.ended + 3_600) == .absent)
    }

    @Test("CR-61: a voicemail plays for every role that sees the call, once processed")
    func cr61VoicemailForEveryone() {
        let url = "https://rec.example/vm.mp3"
        #expect(RecordingAccess(.voicemail, url: url, endedAt: Self.ended, role: .agent, now: Self.ended + 60) == .processing)
        #expect(RecordingAccess(.voicemail, url: url, endedAt: Self.ended, role: .agent, now: Self.ended + 121) == .available)
        #expect(RecordingAccess(.voicemail, url: nil, endedAt: Self.ended, role: .agent, now: Self.ended + 121) == .absent)
    }
}

@testable import CallRouter
import Contracts
import Foundation
import Testing

@Suite("CallRouter kept calls")
struct LiveCallsTests {
    let settings = CompanySettings(
        companyID: CompanyID(), lines: 2, linesInUse: 0, outboundInUse: 0, timeZone: "Asia/Kolkata", directDialing: false, stickyWindowDays: 7,
        suspended: false)

    func call(version: Int = 0, live: Bool = true) -> CallRecord {
        CallRecord(
            uid: CallID(), company: settings.companyID, direction: .inbound, did: PhoneNumber(e164: "+918045678901")!, didType: .virtual,
            customer: nil, carrierCallID: nil, flowID: nil, flowVersion: nil, live: live, linesHeld: 1, state: CallState(), outcome: nil,
            agentID: nil, departmentID: nil, notReachable: false, startedAt: Date(), pickedUpAt: nil, answeredAt: nil, endedAt: nil,
            billableSeconds: nil, recordingURL: nil, voicemailURL: nil, disposition: nil, dispositionComment: nil, lastEventID: nil,
            lastResponse: nil, version: version)
    }

    @Test("Calls that end elsewhere leave entries behind, but never more than two generations of them")
    func bounded() {
        let calls = LiveCalls(generation: 100)
        let first = call()
        calls.keep(first, settings: settings)
        for _ in 0..<99 { calls.keep(call(), settings: settings) }
        #expect(calls.count == 100)
        #expect(calls.entry(first.uid) != nil, "the full generation became the older one")
        for _ in 0..<100 { calls.keep(call(), settings: settings) }
        #expect(calls.count == 100)
        #expect(calls.entry(first.uid) == nil)
        for _ in 0..<1_000 { calls.keep(call(), settings: settings) }
        #expect(calls.count <= 200)
    }

    @Test("A call kept again moves to the newer generation and outlives the older one")
    func keptAgainStays() {
        let calls = LiveCalls(generation: 10)
        var busy = call()
        calls.keep(busy, settings: settings)
        for _ in 0..<9 { calls.keep(call(), settings: settings) }
        busy.version = 1
        calls.keep(busy, settings: settings)
        for _ in 0..<9 { calls.keep(call(), settings: settings) }
        #expect(calls.entry(busy.uid)?.call.version == 1)
    }

    @Test("An ended call is forgotten; an older copy kept late does not replace a newer one")
    func endedAndOrder() {
        let calls = LiveCalls()
        var one = call(version: 3)
        calls.keep(one, settings: settings)
        one.version = 2
        calls.keep(one, settings: settings)
        #expect(calls.entry(one.uid)?.call.version == 3)
        one.version = 4
        one.live = false
        calls.keep(one, settings: settings)
        #expect(calls.entry(one.uid) == nil)
        #expect(calls.count == 0)
        let other = call()
        calls.keep(other, settings: settings)
        calls.forget(other.uid, at: other)
        #expect(calls.entry(other.uid) == nil)
    }

    @Test("A decision that failed from a copy forgets that copy, not a newer one another decision kept meanwhile")
    func forgetOnlyTheFailedCopy() {
        let calls = LiveCalls()
        var stale = call(version: 1)
        stale.revision = UUID()
        var newer = stale
        newer.version = 2
        newer.revision = UUID()
        calls.keep(newer, settings: settings)
        calls.forget(stale.uid, at: stale)
        #expect(calls.entry(stale.uid)?.call.revision == newer.revision)
        calls.forget(newer.uid, at: newer)
        #expect(calls.entry(newer.uid) == nil)
    }
}

@testable import CallRouter
import Contracts
import Foundation
import Testing

@Suite("CallRouter routing rules")
struct RoutingRulesTests {
    let members = (0..<7).map { _ in UserID() }

    @Test("CR-26: an extension is exactly two digits, 10 to 99", arguments: [
        (9, false), (10, true), (55, true), (99, true), (100, false), (0, false), (-10, false),
    ])
    func cr26ExtensionRange(value: Int, valid: Bool) {
        #expect((Extension(value) != nil) == valid)
    }

    @Test("CR-26, CR-27: keyed digits are an extension only as two digits")
    func cr27ExtensionDigits() {
        #expect(Extension(digits: "22")?.value == 22)
        #expect(Extension(digits: "2") == nil)
        #expect(Extension(digits: "222") == nil)
        #expect(Extension(digits: "09") == nil)
        #expect(Extension(digits: "2a") == nil)
    }

    @Test("D-04, CR-38: serial offers eligible members one by one in dialling order")
    func d04Serial() {
        let eligible: Set = [members[0], members[2], members[3]]
        #expect(RoutingStrategy.serial.rounds(members: members, eligible: eligible, lastOffered: members[2]) == [[members[0]], [members[2]], [members[3]]])
    }

    @Test("D-04, CR-36: simultaneous rings at most 5 at once, the rest on the next round")
    func d04Simultaneous() {
        let eligible = Set(members)
        let rounds = RoutingStrategy.simultaneous.rounds(members: members, eligible: eligible, lastOffered: nil)
        #expect(rounds == [Array(members[0..<5]), Array(members[5..<7])])
        #expect(RoutingStrategy.simultaneousLimit == 5)
    }

    @Test("D-04: balanced starts after the member offered the previous call and wraps around")
    func d04Balanced() {
        let eligible: Set = [members[0], members[1], members[4], members[6]]
        #expect(RoutingStrategy.balanced.rounds(members: members, eligible: eligible, lastOffered: members[1])
            == [[members[4]], [members[6]], [members[0]], [members[1]]])
        #expect(RoutingStrategy.balanced.rounds(members: members, eligible: eligible, lastOffered: nil).first == [members[0]])
        // After the last member it wraps to the first.
        #expect(RoutingStrategy.balanced.rounds(members: members, eligible: eligible, lastOffered: members[6]).first == [members[0]])
    }

    @Test("D-04: balanced rotation over successive calls offers every member first in turn")
    func d04BalancedRotation() {
        let eligible = Set(members)
        var last: UserID?
        var firsts: [UserID] = []
        for _ in 0..<members.count * 2 {
            let first = RoutingStrategy.balanced.rounds(members: members, eligible: eligible, lastOffered: last)[0][0]
            firsts.append(first)
            last = first
        }
        #expect(firsts == members + members)
    }

    @Test("D-05, CR-41: strict stickiness rings only the bound agent, or goes straight to the fallback")
    func d05Strict() {
        let rounds = [[members[0]], [members[1]], [members[2]]]
        #expect(StickyMode.strict.apply(to: rounds, bound: members[1], boundEligible: true) == [[members[1]]])
        #expect(StickyMode.strict.apply(to: rounds, bound: members[1], boundEligible: false) == [])
        #expect(StickyMode.strict.apply(to: rounds, bound: nil, boundEligible: false) == rounds)
    }

    @Test("D-05: loose stickiness rings the bound agent first, then the strategy without them")
    func d05Loose() {
        let rounds = [[members[0], members[1]], [members[2]]]
        #expect(StickyMode.loose.apply(to: rounds, bound: members[1], boundEligible: true) == [[members[1]], [members[0]], [members[2]]])
        #expect(StickyMode.loose.apply(to: rounds, bound: members[1], boundEligible: false) == rounds)
        #expect(StickyMode.off.apply(to: rounds, bound: members[1], boundEligible: true) == rounds)
    }

    static let monday10 = LocalMoment(weekday: 1, minutes: 600, date: "2026-11-30")

    func agent(_ availability: Availability = .available, slots: [TimeSlot] = [], onCall: Bool = false) -> Agent {
        Agent(
            id: members[0], name: "A", mobile: PhoneNumber(e164: "+919800000000")!, extensionNumber: Extension(11)!, availability: availability,
            timeSlots: slots, onCall: onCall, outboundAllowed: true)
    }

    @Test("D-06, CR-29, CR-30, CR-31, CR-32, CR-35: eligibility is membership, availability, time slots, not on a call, account active")
    func d06Eligibility() {
        let moment = Self.monday10
        let morning = TimeSlot(days: [1, 2, 3, 4, 5], start: LocalTimeOfDay("09:00")!, end: LocalTimeOfDay("13:00")!)
        let evening = TimeSlot(days: [1], start: LocalTimeOfDay("18:00")!, end: LocalTimeOfDay("22:00")!)
        #expect(Eligibility.check(agent(), members: members, at: moment, suspended: false) == nil)
        #expect(Eligibility.check(agent(), members: [members[1]], at: moment, suspended: false) == .notMember)
        #expect(Eligibility.check(agent(.away), members: members, at: moment, suspended: false) == .away)
        #expect(Eligibility.check(agent(.optOut), members: members, at: moment, suspended: false) == .optedOut)
        #expect(Eligibility.check(agent(slots: [morning]), members: members, at: moment, suspended: false) == nil)
        #expect(Eligibility.check(agent(slots: [evening]), members: members, at: moment, suspended: false) == .outsideTimeSlots)
        #expect(Eligibility.check(agent(onCall: true), members: members, at: moment, suspended: false) == .onCall)
        #expect(Eligibility.check(agent(), members: members, at: moment, suspended: true) == .accountSuspended)
        // Direct calls skip the membership check but not opt-out (CR-30).
        #expect(Eligibility.check(agent(.optOut), members: nil, at: moment, suspended: false) == .optedOut)
        #expect(Eligibility.check(agent(), members: nil, at: moment, suspended: false) == nil)
    }

    @Test("D-07, CR-50: the outbound cap for 1 to 10 lines", arguments: [
        (1, 1), (2, 1), (3, 1), (4, 2), (5, 4), (6, 4), (7, 5), (8, 6), (9, 7), (10, 8),
    ])
    func d07OutboundCap(lines: Int, cap: Int) {
        #expect(LinePolicy(lines: lines).outboundCap == cap)
    }

    @Test("CR-49: click-to-call holds two lines, a web call one")
    func cr49Legs() {
        #expect(OutboundMethod.clickToCall.lines == 2)
        #expect(OutboundMethod.webCall.lines == 1)
    }

    @Test("CR-13, CR-14, CR-52, CR-63, D-09, CR-12, BI-05, BI-09: admission order: suspended, blocked, no flow, then a free line or lost")
    func cr52Admission() {
        #expect(Admission.screen(suspended: true, blocked: true, flowReady: true) == .refused)
        #expect(Admission.screen(suspended: false, blocked: true, flowReady: false) == .rejected)
        #expect(Admission.screen(suspended: false, blocked: false, flowReady: false) == .noFlow)
        #expect(Admission.screen(suspended: false, blocked: false, flowReady: true) == nil)
        #expect(Admission.lines(taken: true) == .admitted)
        #expect(Admission.lines(taken: false) == .lost)
    }

    @Test("CR-74: a Missed Call Service number drops the call after two rings, unanswered, after the suspension and blocklist checks")
    func cr74MissedCallAdmission() throws {
        #expect(Admission.screen(suspended: false, blocked: false, missedCallService: true, flowReady: false) == .missedCall)
        #expect(Admission.screen(suspended: false, blocked: false, missedCallService: true, flowReady: true) == .missedCall)
        #expect(Admission.screen(suspended: false, blocked: true, missedCallService: true, flowReady: true) == .rejected)
        #expect(Admission.screen(suspended: true, blocked: false, missedCallService: true, flowReady: true) == .refused)
        let hangup = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(Instruction.hangup(reason: .missedCallService))) as? [String: Any]
        #expect(hangup?["reason"] as? String == "missed_call_service")
        #expect(hangup?["after_rings"] as? Int == 2)
        let plain = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(Instruction.hangup(reason: .blocked))) as? [String: Any]
        #expect(plain?["after_rings"] == nil)
    }

    @Test("CR-11, D-29, X-13: working hours, working days and holidays on the company's wall clock")
    func cr11Schedule() throws {
        let hours = WorkingHours(
            slots: [TimeSlot(days: [1, 2, 3, 4, 5], start: LocalTimeOfDay("09:30")!, end: LocalTimeOfDay("18:00")!)], holidays: ["2026-12-25"])
        let kolkata = try #require(TimeZone(identifier: "Asia/Kolkata"))
        // 04:00 UTC on Monday 30 Nov 2026 is 09:30 in Kolkata.
        let opening = try #require(Timestamp.parse("2026-11-30T04:00:00Z"))
        #expect(hours.isOpen(at: LocalMoment(opening, timeZone: kolkata)))
        #expect(!hours.isOpen(at: LocalMoment(opening.addingTimeInterval(-60), timeZone: kolkata)))
        let saturday = try #require(Timestamp.parse("2026-12-05T06:00:00Z"))
        #expect(!hours.isOpen(at: LocalMoment(saturday, timeZone: kolkata)))
        let christmas = try #require(Timestamp.parse("2026-12-25T06:00:00Z"))
        #expect(LocalMoment(christmas, timeZone: kolkata).weekday == 5)
        #expect(!hours.isOpen(at: LocalMoment(christmas, timeZone: kolkata)))
        #expect(hours.violation == nil)
        #expect(WorkingHours(slots: [], holidays: []).violation != nil)
        #expect(WorkingHours(slots: hours.slots, holidays: ["25-12-2026"]).violation != nil)
    }

    @Test("D-08: department names longer than 16 characters are refused at save")
    func d08DepartmentName() {
        #expect(Department.violation(name: String(repeating: "a", count: 16), ringSeconds: 25, members: []) == nil)
        #expect(Department.violation(name: String(repeating: "a", count: 17), ringSeconds: 25, members: [])?.code == "department.name.too_long")
        // 14 characters to Swift, 20 code points to PostgreSQL's char_length: refused here, not by the table's check (a 500).
        #expect(Department.violation(name: "Support team 👨‍👩‍👧‍👦", ringSeconds: 25, members: [])?.code == "department.name.too_long")
        #expect(Department.violation(name: "Support team 12", ringSeconds: 25, members: []) == nil)
    }

    @Test("CR-39: ring time is 10 to 25 seconds", arguments: [(9, false), (10, true), (25, true), (26, false)])
    func cr39RingTime(seconds: Int, valid: Bool) {
        #expect((Department.violation(name: "Sales", ringSeconds: seconds, members: []) == nil) == valid)
    }
}

@Suite("CallRouter billable time")
struct BillableTimeTests {
    @Test("BI-10, BI-11: billable seconds are whole seconds rounded up, never a second for rounding noise")
    func bi10WholeSeconds() {
        let start = Date(timeIntervalSince1970: 1_796_000_000.123)
        #expect(CallControl.wholeSeconds(from: start, to: start) == 0)
        #expect(CallControl.wholeSeconds(from: start, to: start.addingTimeInterval(0.000_000_4)) == 0)
        #expect(CallControl.wholeSeconds(from: start, to: start.addingTimeInterval(0.001)) == 1)
        #expect(CallControl.wholeSeconds(from: start, to: start.addingTimeInterval(60)) == 60)
        #expect(CallControl.wholeSeconds(from: start, to: start.addingTimeInterval(60.2)) == 61)
        #expect(CallControl.wholeSeconds(from: start, to: start.addingTimeInterval(-5)) == 0)
        // A call ended only after days (the sweeper behind an outage) bills a week, what every call.completed reader takes.
        #expect(CallControl.wholeSeconds(from: start, to: start.addingTimeInterval(604_800)) == 604_800)
        #expect(CallControl.wholeSeconds(from: start, to: start.addingTimeInterval(30 * 86_400)) == 604_800)
    }
}

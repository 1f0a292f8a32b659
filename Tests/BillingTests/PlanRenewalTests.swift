import Billing
import Foundation
import Testing

@Suite("Plan renewals (BI-20, BI-22, NO-06)")
struct PlanRenewalTests {
    let paidUntil = Date(timeIntervalSince1970: 1_780_000_000)
    let day: TimeInterval = 86_400

    @Test("BI-22, NO-06: reminders 30, 15, 7 and 1 days before expiry, each once, then the plan lapses")
    func bi22RemindersOnceEachThenLapse() {
        #expect(PlanRenewal.step(paidUntil: paidUntil, reminded: nil, now: paidUntil - 40 * day) == .wait(next: paidUntil - 30 * day))
        #expect(PlanRenewal.step(paidUntil: paidUntil, reminded: nil, now: paidUntil - 30 * day) == .remind(days: 30, next: paidUntil - 15 * day))
        #expect(PlanRenewal.step(paidUntil: paidUntil, reminded: 30, now: paidUntil - 20 * day) == .wait(next: paidUntil - 15 * day))
        #expect(PlanRenewal.step(paidUntil: paidUntil, reminded: 30, now: paidUntil - 15 * day) == .remind(days: 15, next: paidUntil - 7 * day))
        #expect(PlanRenewal.step(paidUntil: paidUntil, reminded: 15, now: paidUntil - 7 * day) == .remind(days: 7, next: paidUntil - 1 * day))
        #expect(PlanRenewal.step(paidUntil: paidUntil, reminded: 7, now: paidUntil - 1 * day) == .remind(days: 1, next: paidUntil))
        #expect(PlanRenewal.step(paidUntil: paidUntil, reminded: 1, now: paidUntil - 3_600) == .wait(next: paidUntil))
        #expect(PlanRenewal.step(paidUntil: paidUntil, reminded: 1, now: paidUntil) == .lapse)
        #expect(PlanRenewal.step(paidUntil: paidUntil, reminded: nil, now: paidUntil + day) == .lapse)
    }

    @Test("BI-22: a job that was down sends the latest reminder due, not the ones it missed")
    func bi22LateJobSendsOneReminder() {
        #expect(PlanRenewal.step(paidUntil: paidUntil, reminded: nil, now: paidUntil - 5 * day) == .remind(days: 7, next: paidUntil - 1 * day))
        #expect(PlanRenewal.step(paidUntil: paidUntil, reminded: 7, now: paidUntil - 5 * day) == .wait(next: paidUntil - 1 * day))
        #expect(PlanRenewal.daysLeft(until: paidUntil, now: paidUntil - 5 * day + 60) == 5, "rounded up")
        #expect(PlanRenewal.daysLeft(until: paidUntil, now: paidUntil + day) == 0)
    }

    @Test("BI-20: a renewal before expiry adds a year to the paid one; after a lapse it starts a new year when paid")
    func bi20RenewalAddsAYear() {
        let early = PlanRenewal.renewed(paidUntil: paidUntil, lapsed: false, now: paidUntil - 10 * day)
        #expect(early.yearStartsAt == nil)
        #expect(early.paidUntil == paidUntil + 365 * day)
        let late = paidUntil + 12 * day
        let afterLapse = PlanRenewal.renewed(paidUntil: paidUntil, lapsed: true, now: late)
        #expect(afterLapse.yearStartsAt == late)
        #expect(afterLapse.paidUntil == late + 365 * day, "the days without service are not charged")
        #expect(PlanRenewal.opensAt(paidUntil: paidUntil) == paidUntil - 30 * day)
        #expect(PlanRenewal.dayLabel(Date(timeIntervalSince1970: 1_780_000_000), timeZone: .kolkata) == "2026-05-29")
    }

    @Test("BI-20: a renewal captured late renews only the year and plan it was priced for")
    func bi20LateRenewalCapture() {
        let basis = RenewalBasis(plan: .sedan, paidUntil: paidUntil)
        #expect(PlanRenewal.stillRenews(basis, now: RenewalBasis(plan: .sedan, paidUntil: paidUntil + 0.000_4)))
        #expect(!PlanRenewal.stillRenews(basis, now: RenewalBasis(plan: .sedan, paidUntil: paidUntil + 365 * day)), "renewed already")
        #expect(!PlanRenewal.stillRenews(basis, now: RenewalBasis(plan: .suv, paidUntil: paidUntil)), "upgraded since")
    }
}

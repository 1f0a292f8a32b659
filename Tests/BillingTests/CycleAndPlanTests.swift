@testable import Billing
import Contracts
import Foundation
import Testing

@Suite("Billing cycles, plans and numbers")
struct CycleAndPlanTests {
    static func kolkata(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 12) -> Date {
        Calendar.kolkata.date(from: DateComponents(year: year, month: month, day: day, hour: hour))!
    }

    @Test("BI-27, D-22: the cycle runs from the billing day to the day before the next one, in Kolkata time")
    func cycles() {
        let early = BillingCycle.containing(Self.kolkata(2026, 11, 3), billingDay: 5, timeZone: .kolkata)
        #expect(early.label == "2026-10-05")
        #expect(early.days == 31)
        let onTheDay = BillingCycle.containing(Self.kolkata(2026, 11, 5, 0), billingDay: 5, timeZone: .kolkata)
        #expect(onTheDay.label == "2026-11-05")
        #expect(onTheDay.days == 30)
        #expect(onTheDay.next.label == "2026-12-05")
        let january = BillingCycle.containing(Self.kolkata(2027, 1, 2), billingDay: 28, timeZone: .kolkata)
        #expect(january.label == "2026-12-28")
        #expect(BillingCycle.containing(Self.kolkata(2028, 2, 28), billingDay: 1, timeZone: .kolkata).days == 29)
    }

    @Test("D-29: a cycle runs between the company's midnights: London's cycle starts 5 h 30 min after India's, New York's days are counted on New York's clock")
    func test_D_29_cycles_on_the_company_clock() throws {
        let london = try #require(TimeZone(identifier: "Europe/London"))
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        let utc = ISO8601DateFormatter()
        // 02:00 on 5 November in India is still 4 November in London and New York.
        let instant = try #require(utc.date(from: "2026-11-04T20:30:00Z"))
        #expect(BillingCycle.containing(instant, billingDay: 5, timeZone: .kolkata).label == "2026-11-05")
        let inLondon = BillingCycle.containing(instant, billingDay: 5, timeZone: london)
        #expect(inLondon.label == "2026-10-05")
        #expect(inLondon.end == utc.date(from: "2026-11-05T00:00:00Z"))
        #expect(inLondon.next.start == utc.date(from: "2026-11-05T00:00:00Z"))
        #expect(inLondon.next.end == utc.date(from: "2026-12-05T00:00:00Z"))
        // New York's clock: the cycle that ends at its 5 December midnight (05:00 UTC) has one day left at 23:00 on the
        // 4th there, which is already the 5th in UTC and in India.
        let nyCycle = BillingCycle.containing(try #require(utc.date(from: "2026-11-20T12:00:00Z")), billingDay: 5, timeZone: newYork)
        #expect(nyCycle.end == utc.date(from: "2026-12-05T05:00:00Z"))
        #expect(nyCycle.daysRemaining(from: try #require(utc.date(from: "2026-12-05T04:00:00Z"))) == 1)
        #expect(PromoSMSCredits.month(of: instant, timeZone: newYork).label == "2026-11-01")
        #expect(PromoSMSCredits.month(of: try #require(utc.date(from: "2026-10-31T20:00:00Z")), timeZone: .kolkata).label == "2026-11-01")
        #expect(PromoSMSCredits.month(of: try #require(utc.date(from: "2026-10-31T20:00:00Z")), timeZone: london).label == "2026-10-01")
    }

    @Test("D-29: a company that moves zone starts its next cycle at the same billing day's midnight on the new clock, east or west")
    func test_D_29_moved_cycle_boundary() throws {
        let utc = ISO8601DateFormatter()
        let indianBoundary = try #require(utc.date(from: "2026-12-04T18:30:00Z"))
        let tokyo = try #require(TimeZone(identifier: "Asia/Tokyo"))
        let losAngeles = try #require(TimeZone(identifier: "America/Los_Angeles"))
        let london = try #require(TimeZone(identifier: "Europe/London"))
        #expect(BillingCycle.moved(indianBoundary, billingDay: 5, to: tokyo) == utc.date(from: "2026-12-04T15:00:00Z"))
        #expect(BillingCycle.moved(indianBoundary, billingDay: 5, to: london) == utc.date(from: "2026-12-05T00:00:00Z"))
        #expect(BillingCycle.moved(indianBoundary, billingDay: 5, to: losAngeles) == utc.date(from: "2026-12-05T08:00:00Z"))
        #expect(BillingCycle.moved(indianBoundary, billingDay: 5, to: .kolkata) == indianBoundary)
        // And back: the boundary of the same cycle, whose name (its first day) does not change.
        let pacific = try #require(utc.date(from: "2026-12-05T08:00:00Z"))
        let back = BillingCycle.moved(pacific, billingDay: 5, to: .kolkata)
        #expect(back == indianBoundary)
        #expect(BillingCycle.containing(back, billingDay: 5, timeZone: .kolkata).label
            == BillingCycle.containing(pacific, billingDay: 5, timeZone: losAngeles).label)
    }

    @Test("D-29, BI-19: a number bought after a move west, before the new clock's billing day, pays the cycle the cycle job already started; otherwise the cycle containing now")
    func test_D_29_number_pays_the_started_cycle() throws {
        let utc = ISO8601DateFormatter()
        let losAngeles = try #require(TimeZone(identifier: "America/Los_Angeles"))
        // The job started the cycle of 5 December at India's midnight; the company then moved to Los Angeles, where
        // that cycle begins 13 h 30 min later.
        let next = BillingCycle.moved(try #require(utc.date(from: "2027-01-04T18:30:00Z")), billingDay: 5, to: losAngeles)
        let between = try #require(utc.date(from: "2026-12-04T20:00:00Z"))
        let cycle = BillingCycle.current(now: between, nextCycleAt: next, billingDay: 5, timeZone: losAngeles)
        #expect(cycle.label == "2026-12-05")
        #expect(cycle.daysRemaining(from: between) == 31)
        // Once the new clock reaches the billing day, and for an account the job is late for, the cycle containing now.
        let later = try #require(utc.date(from: "2026-12-10T00:00:00Z"))
        #expect(BillingCycle.current(now: later, nextCycleAt: next, billingDay: 5, timeZone: losAngeles).label == "2026-12-05")
        let late = BillingCycle.current(
            now: later, nextCycleAt: try #require(utc.date(from: "2026-12-05T08:00:00Z")), billingDay: 5, timeZone: losAngeles)
        #expect(late.label == "2026-12-05")
        #expect(BillingCycle.current(now: later, nextCycleAt: nil, billingDay: 5, timeZone: losAngeles).label == "2026-12-05")
        #expect(BillingCycle.current(now: between, nextCycleAt: nil, billingDay: 5, timeZone: losAngeles).label == "2026-11-05")
    }

    @Test("D-22: a purchase on the cycle's last day pays one day; on its first day, all of them")
    func daysRemaining() {
        let cycle = BillingCycle.containing(Self.kolkata(2026, 11, 5), billingDay: 5, timeZone: .kolkata)
        #expect(cycle.daysRemaining(from: Self.kolkata(2026, 11, 5)) == 30)
        #expect(cycle.daysRemaining(from: Self.kolkata(2026, 12, 4, 23)) == 1)
        #expect(cycle.daysRemaining(from: Self.kolkata(2026, 11, 20)) == 15)
    }

    @Test("BI-19, D-22: a number costs ₹1,000 setup plus the rental for the days left")
    func numberPrice() {
        let cycle = BillingCycle.containing(Self.kolkata(2026, 11, 5), billingDay: 5, timeZone: .kolkata)
        let lines = DIDPricing.purchase(setup: .rupees(1_000), monthlyRental: .rupees(200), cycle: cycle, daysRemaining: 15)
        #expect(lines.map(\.amount) == [.rupees(1_000), .rupees(100)])
        #expect(InvoiceDocument(lines: lines).total == .rupees(1_298))
        // Released and bought again in the same cycle: the cycle's rental was paid with the first purchase.
        let again = DIDPricing.purchase(setup: .rupees(1_000), monthlyRental: .rupees(200), cycle: cycle, daysRemaining: 15, rentalPaid: true)
        #expect(again.map(\.amount) == [.rupees(1_000), .zero])
        #expect(InvoiceDocument(lines: again).total == .rupees(1_180))
    }

    @Test("BI-20, BI-21: an upgrade pays the price difference for the paid days left; a downgrade and no change cost nothing now")
    func planChanges() {
        let prices: [Plan: Money] = [.compact: .rupees(12_000), .sedan: .rupees(24_000), .suv: .rupees(48_000), .enterprise: .rupees(96_000)]
        #expect(PlanChange.evaluate(from: .sedan, to: .sedan, annualPrice: { prices[$0]! }, daysLeft: 10) == .unchanged)
        #expect(PlanChange.evaluate(from: .suv, to: .compact, annualPrice: { prices[$0]! }, daysLeft: 10) == .downgrade)
        #expect(PlanChange.evaluate(from: .compact, to: .sedan, annualPrice: { prices[$0]! }, daysLeft: 265)
            == .upgrade(charge: Money.rupees(12_000).multiplied(by: 265, dividedBy: 365)))
        #expect(PlanChange.evaluate(from: .compact, to: .enterprise, annualPrice: { prices[$0]! }, daysLeft: 365) == .upgrade(charge: .rupees(84_000)))
        // Renewed early: the year paid ahead is upgraded too, or it would be the higher plan at the lower price.
        #expect(PlanChange.evaluate(from: .compact, to: .sedan, annualPrice: { prices[$0]! }, daysLeft: 385)
            == .upgrade(charge: Money.rupees(12_000).multiplied(by: 385, dividedBy: 365)))
        let now = Date(timeIntervalSince1970: 1_780_000_000)
        #expect(PlanRenewal.daysLeft(until: now + 86_400 * 20, now: now) == 20)
        #expect(PlanRenewal.daysLeft(until: now - 86_400, now: now) == 0, "a lapsed plan has no days left")
        #expect(PlanRenewal.daysLeft(until: now + 86_400 * 365, now: now + 1) == 365, "a day begun counts whole")
        #expect(PlanRenewal.daysLeft(until: now + 3_600, now: now) == 1, "the last hours pay their day")
    }

    @Test("BI-21: an upgrade paid late buys it only while the account is on the plan and plan year it was priced from, whatever the prices now")
    func lateUpgradePayment() {
        let year = Date(timeIntervalSince1970: 1_780_000_000)
        let asked = UpgradeBasis(plan: .compact, yearStart: year, paidUntil: nil)
        // Nothing changed (the operator may have changed the prices: the customer paid what was asked).
        #expect(PlanChange.stillBuys(.enterprise, pricedFrom: asked, now: UpgradeBasis(plan: .compact, yearStart: year, paidUntil: nil)))
        // Read back from the database, the start may differ below the millisecond.
        #expect(PlanChange.stillBuys(.enterprise, pricedFrom: asked, now: UpgradeBasis(plan: .compact, yearStart: year + 0.000_4, paidUntil: nil)))
        // Another upgrade was paid meanwhile: the account is on Sedan, and this one was priced from Compact.
        #expect(!PlanChange.stillBuys(.enterprise, pricedFrom: asked, now: UpgradeBasis(plan: .sedan, yearStart: year, paidUntil: nil)))
        // A downgrade restarted the plan year after the ask.
        #expect(!PlanChange.stillBuys(.enterprise, pricedFrom: asked, now: UpgradeBasis(plan: .compact, yearStart: year + 86_400 * 30, paidUntil: nil)))
        // The plan is already at or above it.
        #expect(!PlanChange.stillBuys(.sedan, pricedFrom: UpgradeBasis(plan: .enterprise, yearStart: year, paidUntil: nil), now: UpgradeBasis(plan: .enterprise, yearStart: year, paidUntil: nil)))
        // Priced in the last days of a plan year, captured after its anniversary: those days are over.
        let started = year - 86_400 * 360
        let pricedLate = UpgradeBasis(plan: .compact, yearStart: PlanChange.yearStart(planStartedAt: started, at: year), paidUntil: nil)
        let capturedNextYear = UpgradeBasis(plan: .compact, yearStart: PlanChange.yearStart(planStartedAt: started, at: year + 86_400 * 10), paidUntil: nil)
        #expect(!PlanChange.stillBuys(.enterprise, pricedFrom: pricedLate, now: capturedNextYear))
        // BI-20: a renewal paid between the ask and the capture added a year the upgrade was not priced for.
        let paidUntil = year + 86_400 * 20
        let beforeRenewal = UpgradeBasis(plan: .compact, yearStart: year, paidUntil: paidUntil)
        #expect(PlanChange.stillBuys(.enterprise, pricedFrom: beforeRenewal, now: UpgradeBasis(plan: .compact, yearStart: year, paidUntil: paidUntil)))
        #expect(!PlanChange.stillBuys(
            .enterprise, pricedFrom: beforeRenewal, now: UpgradeBasis(plan: .compact, yearStart: year, paidUntil: paidUntil + 86_400 * 365)))
    }

    @Test("BI-20: plan years repeat every 365 days from the plan's start")
    func planYearStart() {
        let started = Date(timeIntervalSince1970: 1_780_000_000)
        #expect(PlanChange.yearStart(planStartedAt: started, at: started) == started)
        #expect(PlanChange.yearStart(planStartedAt: started, at: started + 86_400 * 364) == started)
        #expect(PlanChange.yearStart(planStartedAt: started, at: started + 86_400 * 365) == started + 86_400 * 365)
        #expect(PlanChange.yearStart(planStartedAt: started, at: started + 86_400 * 800) == started + 86_400 * 730)
        #expect(PlanChange.yearStart(planStartedAt: started, at: started - 86_400) == started, "a clock behind the start")
    }

    @Test("SLA-04, D-26, BI-36: the refund is the month's rental share, never more than the rental")
    func slaRefund() {
        #expect(SLARefund.amount(rental: .rupees(200), percent: 25) == .rupees(50))
        #expect(SLARefund.amount(rental: Money(paise: 19_333), percent: 5) == Money(paise: 967))
        #expect(SLARefund.amount(rental: .rupees(200), percent: 150) == .rupees(200))
        #expect(SLARefund.amount(rental: .rupees(200), percent: -5) == .zero)
    }

    @Test("SLA-04, D-26: a month's refunds follow its worst component and together never exceed the rental")
    func SLA_04_refunds_of_a_month_are_capped_at_the_rental() {
        #expect(SLARefund.topUp(rental: .rupees(200), percent: 25, alreadyRefunded: .zero) == .rupees(50))
        #expect(SLARefund.topUp(rental: .rupees(200), percent: 100, alreadyRefunded: .rupees(50)) == .rupees(150))
        #expect(SLARefund.topUp(rental: .rupees(200), percent: 50, alreadyRefunded: .rupees(200)) == .zero)
        #expect(SLARefund.topUp(rental: .rupees(200), percent: 10, alreadyRefunded: .rupees(50)) == .zero)
    }
}

import Contracts
import Foundation

/// A company's billing account as stored, with its cached balance.
struct Account: Sendable {
    var companyID: CompanyID
    var plan: Plan
    /// BI-21: a downgrade waiting for the end of the paid plan year.
    var pendingPlan: Plan?
    var billingDay: Int
    var status: AccountStatus
    var balance: Money
    var thresholds: BalanceThresholds
    var minimumTopUp: Money
    var autoRecharge: Bool
    var billingName: String?
    var billingEmail: String?
    var gstin: String?
    var createdAt: Date
    var suspendedAt: Date?
    var planStartedAt: Date
    var nextCycleAt: Date?
    /// BI-20: the end of the paid plan year.
    var planPaidUntil: Date
    /// BI-22: the plan expired unpaid at this time; services stay stopped until a renewal is paid.
    var planLapsedAt: Date?
    /// NO-06: the reminder last sent for this paid year, as days before expiry.
    var renewalReminded: Int?
    /// When the renewal job next looks at the account.
    var renewalStepAt: Date
    /// BI-20: the next year is paid on `pendingPlan`, which takes effect at this time; the plan cannot change before it.
    var pendingPlanFrom: Date?
    /// D-29: the company's time zone, whose midnights begin its cycles and months (CallRouter's setting, kept by
    /// `CompanyTimeZones`), and when it was set there; nil while it is the default.
    var timeZone: TimeZone
    var timeZoneChangedAt: Date?

    /// D-19, BI-22: the company's services run: neither suspended for its balance nor on a lapsed plan.
    var serving: Bool { status == .active && planLapsedAt == nil }

    /// BI-20, BI-21: a renewal renews into the plan a queued downgrade will have made current by then.
    var renewalPlan: Plan { pendingPlan ?? plan }

    /// When the renewal job next has something to do: the next reminder or the lapse, or a paid plan change first.
    func nextRenewalStep(after next: Date) -> Date { min(next, pendingPlanFrom ?? next) }

    /// BI-20, BI-21: at the end of the paid year a queued downgrade takes effect. One the next year was paid on
    /// (`pendingPlanFrom`) switches at that time; an unpaid one at the lapse, so the renewal is priced on it.
    /// True when it changed the account.
    @discardableResult
    mutating func applyPlanChange(due now: Date) -> Bool {
        guard let from = pendingPlanFrom ?? (now >= planPaidUntil ? planPaidUntil : nil), now >= from, let pending = pendingPlan else {
            guard pendingPlan == nil, pendingPlanFrom != nil else { return false }
            pendingPlanFrom = nil
            return true
        }
        plan = pending
        pendingPlan = nil
        pendingPlanFrom = nil
        planStartedAt = from
        return true
    }

    /// D-29: takes the company's time zone as set at `changedAt`, unless a later setting is already held (changes
    /// arrive in any order; two stamped in the same millisecond count in the order they arrive). The next cycle then
    /// begins at its billing day's midnight on the new clock. True when it changed the account.
    mutating func setTimeZone(_ zone: TimeZone, changedAt: Date) -> Bool {
        guard changedAt >= (timeZoneChangedAt ?? .distantPast) else { return false }
        if zone != timeZone, let next = nextCycleAt { nextCycleAt = BillingCycle.moved(next, billingDay: billingDay, to: zone) }
        timeZone = zone
        timeZoneChangedAt = changedAt
        return true
    }

    var settings: BillingSettings {
        BillingSettings(
            lowBalance: thresholds.lowBalance, minimumBalance: thresholds.minimumBalance, minimumTopUp: minimumTopUp,
            autoRecharge: autoRecharge)
    }
}

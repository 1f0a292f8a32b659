public import Foundation

/// BI-20, BI-22, NO-06: a plan is paid a year at a time, up to `paidUntil`. Reminders go out 30, 15, 7 and 1 days
/// before then; a plan not renewed by then lapses, and the company's services stop until a renewal is paid.
public enum PlanRenewal {
    /// NO-06: the days before expiry a reminder goes out, latest first.
    public static let reminderDays = [30, 15, 7, 1]

    /// Renewal opens with the first reminder: a year paid far ahead would be priced from a rate card that may change.
    public static let opensDaysBefore = 30

    /// What the renewal job does for an account at `now`.
    public enum Step: Equatable, Sendable {
        /// Nothing is due; look again at `next`.
        case wait(next: Date)
        /// Send the reminder `days` before expiry (the last one due: a job that was down sends one, not a backlog), then
        /// look again at `next`.
        case remind(days: Int, next: Date)
        /// The paid year is over: the plan lapses.
        case lapse
    }

    /// `reminded`: the reminder last sent for this `paidUntil` (its days before expiry), nil when none was.
    public static func step(paidUntil: Date, reminded: Int?, now: Date) -> Step {
        if now >= paidUntil { return .lapse }
        let due = reminderDays.filter { now >= reminderTime($0, before: paidUntil) }
        let upcoming = reminderDays.filter { now < reminderTime($0, before: paidUntil) }.map { reminderTime($0, before: paidUntil) }
        let next = upcoming.min() ?? paidUntil
        guard let latest = due.min(), latest < (reminded ?? Int.max) else { return .wait(next: next) }
        return .remind(days: latest, next: next)
    }

    /// Days left until expiry, a day begun counting whole: what a reminder says ("expires in 3 days"), and what an
    /// upgrade pays for (one on a year's first day pays all 365, one in its last hours pays that day).
    public static func daysLeft(until paidUntil: Date, now: Date) -> Int {
        max(0, Int((paidUntil.timeIntervalSince(now) / 86_400).rounded(.up)))
    }

    /// When the renewal of a plan paid until `paidUntil` can be asked for.
    public static func opensAt(paidUntil: Date) -> Date { reminderTime(opensDaysBefore, before: paidUntil) }

    /// BI-20: a renewal paid before expiry adds a year to the paid one, so the plan year keeps its anniversary; one
    /// paid after the plan lapsed starts a new plan year when it is paid (the days without service are not charged).
    public static func renewed(paidUntil: Date, lapsed: Bool, now: Date) -> (yearStartsAt: Date?, paidUntil: Date) {
        if lapsed || now >= paidUntil {
            return (now, adding(days: PlanChange.daysInPlanYear, to: now))
        }
        return (nil, adding(days: PlanChange.daysInPlanYear, to: paidUntil))
    }

    /// BI-20, BI-32: a renewal captured late still renews only the year it was priced for, on the plan it was priced
    /// for. Anything else (another renewal already paid, the plan changed, a lapse restarted the year) means the
    /// price no longer holds; the money is then credited to the wallet.
    public static func stillRenews(_ basis: RenewalBasis, now current: RenewalBasis) -> Bool {
        basis.plan == current.plan && abs(basis.paidUntil.timeIntervalSince(current.paidUntil)) < 0.001
    }

    /// A date as the company's calendar day, `yyyy-MM-dd` (D-29).
    public static func dayLabel(_ date: Date, timeZone: TimeZone) -> String {
        let day = Calendar.gregorian(in: timeZone).dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", day.year ?? 0, day.month ?? 0, day.day ?? 0)
    }

    static func reminderTime(_ days: Int, before paidUntil: Date) -> Date { adding(days: -days, to: paidUntil) }

    static func adding(days: Int, to date: Date) -> Date {
        Calendar.kolkata.date(byAdding: .day, value: days, to: date) ?? date.addingTimeInterval(Double(days) * 86_400)
    }
}

/// BI-20: what a renewal was priced for: the plan the account renews into and the end of the year it extends.
public struct RenewalBasis: Sendable, Hashable {
    public let plan: Plan
    public let paidUntil: Date

    public init(plan: Plan, paidUntil: Date) {
        self.plan = plan
        self.paidUntil = paidUntil
    }
}

public import Foundation

/// BI-27, D-22, D-29: a company's monthly cycle starts on its billing day (1–28, fixed at creation) at midnight
/// in the company's time zone and ends the day before the next billing day.
public struct BillingCycle: Sendable, Hashable {
    public let start: Date
    public let end: Date
    /// The cycle's first day as `yyyy-MM-dd` in the company's time zone: the cycle's name in ledger sources.
    public let label: String
    public let days: Int
    /// The company's time zone, whose midnights the cycle runs between.
    public let timeZone: TimeZone

    /// The cycle that contains `date`.
    public static func containing(_ date: Date, billingDay: Int, timeZone: TimeZone) -> BillingCycle {
        let calendar = Calendar.gregorian(in: timeZone)
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        var startParts = DateComponents(year: parts.year, month: parts.month, day: billingDay)
        if (parts.day ?? 1) < billingDay { startParts.month = (parts.month ?? 1) - 1 }
        let start = calendar.date(from: startParts)!
        let end = calendar.date(byAdding: .month, value: 1, to: start)!
        let days = calendar.dateComponents([.day], from: start, to: end).day!
        let normalized = calendar.dateComponents([.year, .month, .day], from: start)
        let label = String(format: "%04d-%02d-%02d", normalized.year!, normalized.month!, normalized.day!)
        return BillingCycle(start: start, end: end, label: label, days: days, timeZone: timeZone)
    }

    /// D-29: where a cycle boundary falls once the company moved to `timeZone`: the same billing day's midnight on the
    /// new clock, the new zone's boundary nearest to the old one (zones lie at most 26 hours apart, cycles 28 days or
    /// more). The cycle keeps its name, so its rental is charged once whichever clock it ends on.
    public static func moved(_ boundary: Date, billingDay: Int, to timeZone: TimeZone) -> Date {
        let cycle = containing(boundary, billingDay: billingDay, timeZone: timeZone)
        return boundary.timeIntervalSince(cycle.start) <= cycle.end.timeIntervalSince(boundary) ? cycle.start : cycle.end
    }

    /// BI-19, D-22, D-29: the cycle a number bought at `now` pays for: the one containing `now`, or the one the cycle
    /// job last started (the one ending at `nextCycleAt`) when that is later. After a move west the job has already
    /// charged every other number for a cycle that has not begun on the new clock; a number bought then pays for
    /// that cycle too, or it would never be charged for it.
    public static func current(now: Date, nextCycleAt: Date?, billingDay: Int, timeZone: TimeZone) -> BillingCycle {
        let containing = containing(now, billingDay: billingDay, timeZone: timeZone)
        guard let nextCycleAt else { return containing }
        let started = BillingCycle.containing(nextCycleAt.addingTimeInterval(-1), billingDay: billingDay, timeZone: timeZone)
        return started.label > containing.label ? started : containing
    }

    /// Days of the cycle from `date`'s day to the end, the day of `date` included (D-22 proration).
    public func daysRemaining(from date: Date) -> Int {
        let calendar = Calendar.gregorian(in: timeZone)
        let today = calendar.startOfDay(for: date)
        return max(0, min(days, calendar.dateComponents([.day], from: today, to: end).day!))
    }

    public var next: BillingCycle {
        BillingCycle.containing(end, billingDay: Calendar.gregorian(in: timeZone).component(.day, from: start), timeZone: timeZone)
    }
}

extension TimeZone {
    /// D-29: the default company time zone.
    public static let kolkata = TimeZone(identifier: "Asia/Kolkata")!
}

extension Calendar {
    /// Plan years count days on India's clock (24-hour days: IST keeps no summer time), whatever the company's zone.
    static var kolkata: Calendar { gregorian(in: .kolkata) }

    /// The Gregorian calendar on a company's clock (D-29).
    static func gregorian(in timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }
}

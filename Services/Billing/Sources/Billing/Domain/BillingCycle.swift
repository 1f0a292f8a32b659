public import Foundation

/// BI-27, D-22, D-29: a company's monthly cycle starts on its billing day (1–28, fixed at creation) at midnight
/// in the company's time zone and ends the day before the next billing day.
public struct BillingCycle: Sendable, Hashable {
    public let start: Date
    public let end: Date
    /// The cycle's first day as `yyyy-MM-dd` in the company's time zone: the cycle's name in ledger sources.
    public let label: String
    public let days: Int

    /// The cycle that contains `date`.
    public static func containing(_ date: Date, billingDay: Int, timeZone: TimeZone = .kolkata) -> BillingCycle {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        var startParts = DateComponents(year: parts.year, month: parts.month, day: billingDay)
        if (parts.day ?? 1) < billingDay { startParts.month = (parts.month ?? 1) - 1 }
        let start = calendar.date(from: startParts)!
        let end = calendar.date(byAdding: .month, value: 1, to: start)!
        let days = calendar.dateComponents([.day], from: start, to: end).day!
        let normalized = calendar.dateComponents([.year, .month, .day], from: start)
        let label = String(format: "%04d-%02d-%02d", normalized.year!, normalized.month!, normalized.day!)
        return BillingCycle(start: start, end: end, label: label, days: days)
    }

    /// Days of the cycle from `date`'s day to the end, the day of `date` included (D-22 proration).
    public func daysRemaining(from date: Date, timeZone: TimeZone = .kolkata) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = calendar.startOfDay(for: date)
        return max(0, min(days, calendar.dateComponents([.day], from: today, to: end).day!))
    }

    public var next: BillingCycle { BillingCycle.containing(end, billingDay: Self.day(of: start)) }

    private static func day(of date: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .kolkata
        return calendar.component(.day, from: date)
    }
}

extension TimeZone {
    /// D-29: the default company time zone.
    public static let kolkata = TimeZone(identifier: "Asia/Kolkata")!
}

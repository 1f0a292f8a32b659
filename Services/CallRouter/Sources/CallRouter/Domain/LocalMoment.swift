import Foundation

/// An instant seen on the company's wall clock (D-29: the company time zone governs working hours and holidays).
struct LocalMoment: Hashable, Sendable {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    let weekday: Int
    /// Minutes after local midnight.
    let minutes: Int
    /// The local date, "YYYY-MM-DD", as holidays are written.
    let date: String

    init(weekday: Int, minutes: Int, date: String) {
        self.weekday = weekday
        self.minutes = minutes
        self.date = date
    }

    init(_ instant: Date, timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: instant)
        // Calendar counts Sunday as 1.
        weekday = ((parts.weekday ?? 1) + 5) % 7 + 1
        minutes = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        let year = parts.year ?? 1970, month = parts.month ?? 1, day = parts.day ?? 1
        date = String(year) + "-" + (month < 10 ? "0" : "") + String(month) + "-" + (day < 10 ? "0" : "") + String(day)
    }
}

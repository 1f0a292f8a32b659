import Foundation

/// CA-53: a WhatsApp number's automatic replies: one Greeting inside its business hours and one Away message
/// outside them, in the number's own time zone, each a canned message (CA-52). Both are suspended while a chatbot
/// answers the number, and while the number has no business hours (they come first). A customer gets one automatic
/// reply when they start a conversation (their first message after the 24-hour window closed, or ever), not one per
/// message, and only while the message is fresh: one delivered late (after an outage) would answer a situation that
/// has passed, "we are closed" at opening time.
struct AutoReply: Sendable, Equatable {
    var greetingID: UUID?
    var awayID: UUID?
    var chatbotActive: Bool

    static let off = AutoReply(greetingID: nil, awayID: nil, chatbotActive: false)
    /// How old a customer's message may be when it is processed and still get an automatic reply.
    static let freshness: TimeInterval = 15 * 60

    enum Choice: String, Sendable, Equatable {
        case greeting, away
    }

    /// Which reply a customer's message written at `at` and processed at `now` gets, if any. `previous` is their
    /// last message before this one on the same number.
    func choice(at: Date, now: Date, previous: Date?, hours: [OpeningHours], timeZone: TimeZone) -> (Choice, UUID)? {
        guard !chatbotActive, !hours.isEmpty, now.timeIntervalSince(at) <= Self.freshness else { return nil }
        // The same conversation: the reply went out when it started.
        if let previous, ServiceWindow.isOpen(lastInbound: previous, now: at) { return nil }
        let open = Self.isOpen(at: at, hours: hours, timeZone: timeZone)
        if open, let greetingID { return (.greeting, greetingID) }
        if !open, let awayID { return (.away, awayID) }
        return nil
    }

    /// Whether `at` falls in any of the opening hours, read in `timeZone` (days 1 = Monday … 7 = Sunday). A closing
    /// time is exclusive, except 23:59, which the hours' `HH:mm` form uses for the end of the day.
    static func isOpen(at: Date, hours: [OpeningHours], timeZone: TimeZone) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: at)
        guard let weekday = parts.weekday, let hour = parts.hour, let minute = parts.minute else { return false }
        let day = weekday == 1 ? 7 : weekday - 1  // Calendar: 1 = Sunday
        let now = hour * 60 + minute
        return hours.contains { entry in
            guard entry.days.contains(day), let opens = OpeningHours.minutes(entry.opens), let closes = OpeningHours.minutes(entry.closes)
            else { return false }
            return opens <= now && now < (closes == 23 * 60 + 59 ? 24 * 60 : closes)
        }
    }
}

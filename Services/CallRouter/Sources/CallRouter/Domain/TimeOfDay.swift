import Contracts
import Foundation

/// CR-58: a time-of-day filter of the call log, `HH:mm` to `HH:mm` on the company's clock, whatever the date: calls
/// that started at or after `from` and before `to`. A `to` earlier than `from` runs past midnight (22:00–06:00 is
/// the night).
struct TimeOfDay: Sendable, Equatable {
    /// Minutes since midnight.
    var from: Int
    var to: Int

    /// `HH:mm`, 00:00 to 23:59.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCIIDigit) }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        return hour * 60 + minute
    }

    /// Whether a call that started at `minute` (since midnight, the company's clock) is in the window.
    /// (`CallStore.list` holds the same rule in SQL, where the log is filtered.)
    func contains(_ minute: Int) -> Bool {
        from <= to ? (from <= minute && minute < to) : (minute >= from || minute < to)
    }

    /// `HH:mm:00`, as SQL's `time` reads it.
    static func sql(_ minutes: Int) -> String { String(format: "%02d:%02d:00", minutes / 60, minutes % 60) }
}

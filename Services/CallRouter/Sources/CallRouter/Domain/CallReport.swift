public import Foundation

/// call reports, grouped department-wise, user-wise or by the number called (the "Manage Groups" button is
/// retired: there are no hand-made groups to report on), over a time frame of the company's days (D-29).
public enum CallReport {
    public enum Grouping: String, Sendable, CaseIterable {
        case department, user, number

        /// A call belongs to a user only once they answer it: a user's calls are all answered, and the unanswered
        /// ones gather under no user. So user-wise groups carry no answer rate (the totals do).
        public var ratesAnswers: Bool { self != .user }
    }

    /// The time-frame chips. The dashboard home is `today`, as it happens.
    public enum Period: String, Sendable, CaseIterable {
        case today, yesterday
        case last7Days = "last_7_days"
        case thisMonth = "this_month"

        /// `[from, to)` in the company's time zone; `to` is the end of today for the periods that include it.
        public func range(now: Date, zone: TimeZone) -> (from: Date, to: Date) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let today = calendar.startOfDay(for: now)
            let tomorrow = calendar.date(byAdding: .day, value: 1, to: today) ?? now
            switch self {
            case .today:
                return (today, tomorrow)
            case .yesterday:
                return (calendar.date(byAdding: .day, value: -1, to: today) ?? today, today)
            case .last7Days:
                return (calendar.date(byAdding: .day, value: -6, to: today) ?? today, tomorrow)
            case .thisMonth:
                let month = calendar.dateInterval(of: .month, for: now)?.start ?? today
                return (month, tomorrow)
            }
        }
    }

    /// The longest explicit range a report covers: a quarter. Longer ones belong in the export.
    public static let maximumDays = 93

    /// What a report shows for a group: call volume, answer rate and on-call time. Live calls are not counted until
    /// they end.
    public struct Metrics: Sendable, Equatable {
        public var calls: Int
        public var answered: Int
        /// Calls offered to a person that nobody answered (missed, or left to voicemail). Rejected calls (blocklist,
        /// suspension) and failed ones count in `calls` only: nobody could have answered them.
        public var unanswered: Int
        /// Talk time: from the agent's answer to the end of each answered call.
        public var onCallSeconds: Int

        public init(calls: Int, answered: Int, unanswered: Int, onCallSeconds: Int) {
            self.calls = calls
            self.answered = answered
            self.unanswered = unanswered
            self.onCallSeconds = onCallSeconds
        }

        /// Answered calls per 100 offered (answered or unanswered), to one decimal, half up; nil with none offered.
        public var answerRatePercent: Double? {
            let offered = answered + unanswered
            guard offered > 0 else { return nil }
            let tenths = (answered * 1_000 * 2 + offered) / (offered * 2)
            return Double(tenths) / 10
        }

        /// Mean talk time of an answered call, in whole seconds; nil with none answered.
        public var averageTalkSeconds: Int? { answered > 0 ? (onCallSeconds + answered / 2) / answered : nil }

        public static func + (lhs: Metrics, rhs: Metrics) -> Metrics {
            Metrics(
                calls: lhs.calls + rhs.calls, answered: lhs.answered + rhs.answered, unanswered: lhs.unanswered + rhs.unanswered,
                onCallSeconds: lhs.onCallSeconds + rhs.onCallSeconds)
        }

        public static let zero = Metrics(calls: 0, answered: 0, unanswered: 0, onCallSeconds: 0)
    }
}

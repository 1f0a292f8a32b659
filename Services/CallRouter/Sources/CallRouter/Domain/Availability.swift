/// CR-29, CR-30: whether a user takes routed calls. `optOut` also refuses direct-extension calls.
enum Availability: String, Sendable, Codable, CaseIterable {
    case available, away
    case optOut = "opt_out"
}

/// CR-31: a window in the company's week when a user takes calls. `days` are ISO weekdays (1 = Monday … 7 = Sunday),
/// `start`/`end` minutes after local midnight; `end` may be 1440. An overnight slot is written as two slots.
struct TimeSlot: Hashable, Sendable, Codable {
    var days: [Int]
    var start: LocalTimeOfDay
    var end: LocalTimeOfDay

    func contains(_ moment: LocalMoment) -> Bool {
        days.contains(moment.weekday) && start.minutes <= moment.minutes && moment.minutes < end.minutes
    }

    /// Edge checks; nil when valid.
    var violation: String? {
        if days.isEmpty || days.contains(where: { !(1...7).contains($0) }) { return "days must be ISO weekdays 1 (Monday) to 7 (Sunday)" }
        if start.minutes >= end.minutes { return "start must be before end" }
        return nil
    }
}

/// A time of day written "HH:MM" (00:00 … 24:00) in the company's time zone.
struct LocalTimeOfDay: Hashable, Sendable, Codable, Comparable {
    let minutes: Int

    init?(minutes: Int) {
        guard (0...1440).contains(minutes) else { return nil }
        self.minutes = minutes
    }

    init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
            (0...24).contains(hours), (0...59).contains(minutes), hours < 24 || minutes == 0
        else { return nil }
        self.init(minutes: hours * 60 + minutes)
    }

    var text: String {
        let hours = minutes / 60, rest = minutes % 60
        return (hours < 10 ? "0" : "") + String(hours) + ":" + (rest < 10 ? "0" : "") + String(rest)
    }

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.minutes < rhs.minutes }

    init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = LocalTimeOfDay(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a time is written HH:MM"))
        }
        self = value
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

/// CA-53: opening hours in the number's time zone, days 1 (Monday) … 7 (Sunday), times `HH:mm`.
struct OpeningHours: Codable, Sendable, Equatable {
    var days: [Int]
    var opens: String
    var closes: String

    var isValid: Bool {
        !days.isEmpty && days.allSatisfy { (1...7).contains($0) } && Set(days).count == days.count
            && Self.minutes(opens) != nil && Self.minutes(closes) != nil && Self.minutes(opens)! < Self.minutes(closes)!
    }

    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        return hour * 60 + minute
    }
}

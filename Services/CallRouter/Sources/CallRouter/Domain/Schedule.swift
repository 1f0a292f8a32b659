/// CR-11, D-29: when a company is open: working days and hours plus holidays, in the company time zone.
/// A time-condition node sends the call one way inside these hours and the other way outside.
struct WorkingHours: Hashable, Sendable, Codable {
    /// The weekly windows; several per day are allowed (a lunch break is two windows).
    var slots: [TimeSlot]
    /// Local dates ("YYYY-MM-DD") on which the business is closed all day.
    var holidays: [String]

    func isOpen(at moment: LocalMoment) -> Bool {
        !holidays.contains(moment.date) && slots.contains { $0.contains(moment) }
    }

    var violation: String? {
        if slots.isEmpty { return "a schedule needs at least one working-hours slot" }
        if let bad = slots.lazy.compactMap(\.violation).first { return bad }
        if let holiday = holidays.first(where: { !Self.isDate($0) }) { return "holiday \(holiday) is not a YYYY-MM-DD date" }
        return nil
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let month = Int(parts[1]), let day = Int(parts[2]), Int(parts[0]) != nil
        else { return false }
        return (1...12).contains(month) && (1...31).contains(day)
    }

    enum CodingKeys: String, CodingKey {
        case slots, holidays
    }

    init(slots: [TimeSlot], holidays: [String] = []) {
        self.slots = slots
        self.holidays = holidays
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        slots = try container.decode([TimeSlot].self, forKey: .slots)
        holidays = try container.decodeIfPresent([String].self, forKey: .holidays) ?? []
    }
}

import Foundation

/// Excel keeps a date as a number of days (a serial, the time of day its fraction) and shows it as a date only
/// through the cell's number format. A column such as "order date" must reach a template as the date the user saw
/// (2026-11-30), not as 46356.
enum XLSXDates {
    /// What a number format shows of a serial.
    enum Kind: Sendable, Equatable {
        case date
        case dateTime
        /// A time of day (`h:mm`): the fraction only.
        case time
        /// A duration (`[h]:mm:ss`): hours past 24 are shown as such.
        case elapsed
    }

    /// Built-in number formats that show dates or times (ECMA-376 18.8.30, with the East Asian ones).
    private static let builtIn: [Int: Kind] = {
        var kinds: [Int: Kind] = [:]
        for id in Array(14...17) + Array(27...31) + Array(34...36) + Array(50...58) { kinds[id] = .date }
        for id in [18, 19, 20, 21, 32, 33, 45, 47] { kinds[id] = .time }
        kinds[22] = .dateTime
        kinds[46] = .elapsed
        return kinds
    }()

    /// What number format `id` (with its `code` when the workbook defines it) shows; nil for a plain number. A custom
    /// code is read outside quoted text, escapes and bracketed parts ([Red], [$-409]); a bracketed `[h]`, `[m]` or `[s]`
    /// is a duration.
    static func kind(formatID id: Int, code: String?) -> Kind? {
        guard let code else { return builtIn[id] }
        var plain = ""
        var bracket = ""
        var quoted = false
        var bracketed = false
        var escaped = false
        var elapsed = false
        for character in code {
            if escaped { escaped = false; continue }
            switch character {
            case "\"": quoted.toggle()
            case "\\" where !quoted: escaped = true
            case "[" where !quoted:
                bracketed = true
                bracket = ""
            case "]" where !quoted && bracketed:
                bracketed = false
                if !bracket.isEmpty, bracket.lowercased().allSatisfy({ "hms".contains($0) }) { elapsed = true }
            default:
                if bracketed { bracket.append(character) } else if !quoted { plain.append(character) }
            }
        }
        if elapsed { return .elapsed }
        let letters = plain.lowercased()
        let hasDate = letters.contains { "yd".contains($0) }
        let hasTime = letters.contains { "hs".contains($0) }
        if hasDate { return hasTime ? .dateTime : .date }
        if hasTime { return .time }
        // `m` alone is a month (`mmm yy` has a y; `mmmm` alone names the month).
        return letters.contains("m") ? .date : nil
    }

    /// The serial as the format shows it: `yyyy-MM-dd`, `yyyy-MM-dd HH:mm[:ss]`, `HH:mm[:ss]` or, for a duration,
    /// `H:mm[:ss]` with all its hours. Nil when it is no number, or a date outside years 1900–9999. `date1904` is the
    /// Mac epoch a workbook may declare.
    static func text(_ stored: String, kind: Kind, date1904: Bool) -> String? {
        guard let serial = Double(stored), serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        let totalSeconds = Int((serial * 86_400).rounded())
        let days = totalSeconds / 86_400
        let seconds = totalSeconds % 86_400
        func clock(_ seconds: Int, hours: Int) -> String {
            var text = String(format: "%02d:%02d", hours, seconds % 3_600 / 60)
            if seconds % 60 != 0 { text += String(format: ":%02d", seconds % 60) }
            return text
        }
        switch kind {
        case .time:
            return clock(seconds, hours: seconds / 3_600)
        case .elapsed:
            return clock(totalSeconds, hours: totalSeconds / 3_600)
        case .date:
            return day(days, date1904: date1904)
        case .dateTime:
            guard let date = day(days, date1904: date1904) else { return nil }
            return seconds > 0 ? date + " " + clock(seconds, hours: seconds / 3_600) : date
        }
    }

    /// Day `days` of the workbook's epoch as `yyyy-MM-dd`.
    private static func day(_ days: Int, date1904: Bool) -> String? {
        var days = days
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let epoch: DateComponents
        if date1904 {
            epoch = DateComponents(year: 1904, month: 1, day: 1)
        } else if days < 61 {
            // Excel counts a 29 February 1900 that never was (serial 60): before it, day 1 is 1 January 1900.
            guard days >= 1 else { return nil }
            if days == 60 { days = 59 }
            epoch = DateComponents(year: 1899, month: 12, day: 31)
        } else {
            epoch = DateComponents(year: 1899, month: 12, day: 30)
        }
        guard let start = calendar.date(from: epoch), let day = calendar.date(byAdding: .day, value: days, to: start) else { return nil }
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        guard let year = parts.year, let month = parts.month, let date = parts.day, year <= 9_999 else { return nil }
        return String(format: "%04d-%02d-%02d", year, month, date)
    }
}

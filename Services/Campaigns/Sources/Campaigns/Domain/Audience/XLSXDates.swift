import Foundation

/// Excel keeps a date as a number of days (a serial, the time of day its fraction) and shows it as a date only
/// through the cell's number format. A column such as "order date" must reach a template as the date the user saw
/// (2026-11-30), not as 46356.
enum XLSXDates {
    /// Built-in number formats that show a date or a time (ECMA-376 18.8.30, with the East Asian ones).
    private static let builtIn: Set<Int> = Set(14...22).union(27...36).union(45...47).union(50...58)

    /// Whether number format `id` (with its `code` when the workbook defines it) shows a date or a time: a custom
    /// code does when, outside quoted text, escapes and bracketed parts ([Red], [$-409]), it has y, m, d, h or s.
    static func isDate(formatID id: Int, code: String?) -> Bool {
        guard let code else { return builtIn.contains(id) }
        var plain = ""
        var quoted = false
        var bracketed = false
        var escaped = false
        for character in code {
            if escaped { escaped = false; continue }
            switch character {
            case "\"": quoted.toggle()
            case "\\" where !quoted: escaped = true
            case "[" where !quoted: bracketed = true
            case "]" where !quoted: bracketed = false
            default: if !quoted && !bracketed { plain.append(character) }
            }
        }
        return plain.lowercased().contains { "ymdhs".contains($0) }
    }

    /// The serial as `yyyy-MM-dd`, with ` HH:mm` (or `:ss`) when it holds a time of day; nil when it is no number or
    /// outside years 1900–9999. `date1904` is the Mac epoch a workbook may declare.
    static func text(_ stored: String, date1904: Bool) -> String? {
        guard let serial = Double(stored), serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        var days = Int(serial.rounded(.down))
        var seconds = Int(((serial - Double(days)) * 86_400).rounded())
        if seconds >= 86_400 {
            days += 1
            seconds -= 86_400
        }
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
        var text = String(format: "%04d-%02d-%02d", year, month, date)
        if seconds > 0 {
            text += String(format: " %02d:%02d", seconds / 3_600, seconds % 3_600 / 60)
            if seconds % 60 != 0 { text += String(format: ":%02d", seconds % 60) }
        }
        return text
    }
}

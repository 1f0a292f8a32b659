import Foundation

/// What an audience upload yields (D-13, CA-32): the recipients to message and the rows left out.
struct AudienceImportResult: Equatable, Sendable, Codable {
    /// The variable columns (everything but name and phone), lowercased and trimmed, in file order.
    var columns: [String]
    /// Valid, unique recipients in upload order (the order D-16 sends in).
    var recipients: [AudienceRecipient]
    /// Skipped rows in row order.
    var skipped: [SkippedRow]
    /// Data rows considered: recipients plus skipped rows. Neither the header nor trailing empty rows count.
    var totalRows: Int

    /// Every reason with its count, zeros included, so a summary can list all four.
    var skippedCounts: [SkipReason: Int] {
        var counts = Dictionary(uniqueKeysWithValues: SkipReason.allCases.map { ($0, 0) })
        for row in skipped { counts[row.reason, default: 0] += 1 }
        return counts
    }

    func skippedCount(_ reason: SkipReason) -> Int { skipped.count { $0.reason == reason } }

    /// CA-32: the downloadable error report, one CSV line per skipped row.
    var skipReport: String {
        var lines = ["row,reason,value"]
        for row in skipped { lines.append("\(row.row),\(row.reason.rawValue),\(Self.csvField(row.value))") }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Quotes what RFC 4180 requires, and defuses spreadsheet formulas: a value such as `=HYPERLINK(…)` from an
    /// uploaded file must not run when the user opens the report. Phone-like text (`+1 415…`, `-`) is left alone.
    static func csvField(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first {
            let phoneLike = text.unicodeScalars.allSatisfy { "0123456789+-(). ".unicodeScalars.contains($0) }
            if "=@\t\r".unicodeScalars.contains(first) || ("+-".unicodeScalars.contains(first) && !phoneLike) {
                text = "'" + text
            }
        }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

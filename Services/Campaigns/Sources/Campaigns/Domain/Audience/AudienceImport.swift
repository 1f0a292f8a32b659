import Contracts
import Foundation

/// Turns the rows of an uploaded audience file into recipients and skipped rows (D-13, CA-27…CA-33).
enum AudienceImport {
    /// D-13: at most 5,000 valid rows per upload.
    static let defaultLimit = 5_000
    /// D-13, CA-45: contacts retargeting may target up to 10,000.
    static let retargetingLimit = 10_000

    /// Reads the file (CSV or XLSX) and imports it.
    static func result(from data: Data, filename: String?, limit: Int = defaultLimit) throws(AudienceError) -> AudienceImportResult {
        // The database cannot store U+0000, and no name or value means it: it is dropped from every cell.
        let rows = try AudienceFile.rows(from: data, filename: filename).map { cells in
            cells.map { $0.contains("\u{0}") ? $0.replacingOccurrences(of: "\u{0}", with: "") : $0 }
        }
        return try result(from: rows, limit: limit)
    }

    /// `rows[0]` is the header; `rows[i]` is spreadsheet row `i + 1`.
    static func result(from rows: [[String]], limit: Int = defaultLimit) throws(AudienceError) -> AudienceImportResult {
        let header = try AudienceHeader(rows.first ?? [], dataRows: rows.dropFirst())
        // Trailing empty rows are spreadsheet noise (formatting, a final newline), not rows the user meant.
        let lastRow = rows.indices.dropFirst().last { !isBlank(rows[$0]) } ?? 0
        var recipients: [AudienceRecipient] = []
        var skipped: [SkippedRow] = []
        var seen: Set<PhoneNumber> = []
        for index in rows.indices.dropFirst() where index <= lastRow {
            let cells = rows[index]
            let row = index + 1
            // CA-32: blank rows are skipped and reported.
            if isBlank(cells) {
                skipped.append(SkippedRow(row: row, reason: .blank, value: ""))
                continue
            }
            let phoneText = cell(header.phoneIndex, of: cells)
            switch PhoneNumber.indian(phoneText) {
            case .failure(let error):
                // D-13, CA-33: blank, malformed and non-+91 numbers are skipped with their reason code.
                skipped.append(SkippedRow(row: row, reason: SkipReason(error), value: phoneText))
            case .success(let phone) where !seen.insert(phone).inserted:
                // CA-32: only the first occurrence of a number is kept.
                skipped.append(SkippedRow(row: row, reason: .duplicate, value: phoneText))
            case .success(let phone):
                let values = Dictionary(header.variables.map { ($0.name, cell($0.index, of: cells)) }) { first, _ in first }
                recipients.append(AudienceRecipient(row: row, phone: phone, name: cell(header.nameIndex, of: cells), values: values))
            }
        }
        // D-13: more valid rows than the limit refuses the upload (422), rather than silently truncating it.
        guard recipients.count <= limit else { throw .tooLarge(count: recipients.count, limit: limit) }
        return AudienceImportResult(
            columns: header.variables.map(\.name), recipients: recipients, skipped: skipped, totalRows: recipients.count + skipped.count)
    }

    private static func cell(_ index: Int, of cells: [String]) -> String {
        index < cells.count ? AudienceHeader.trim(cells[index]) : ""
    }

    private static func isBlank(_ cells: [String]) -> Bool {
        cells.allSatisfy { AudienceHeader.trim($0).isEmpty }
    }
}

import Contracts
import Foundation

/// Turns the rows of an uploaded audience file into recipients and skipped rows (D-13, CA-27…CA-33).
enum AudienceImport {
    /// D-13: at most 5,000 valid rows per upload.
    static let defaultLimit = 5_000

    /// What a spreadsheet cell holds at most (Excel's limit, in UTF-16 units). A longer one is no contact's data; an
    /// .xlsx can still carry one (a shared string of megabytes that compresses to kilobytes, used by every row), and
    /// every row would then be scanned and stored with it.
    static let maxCellLength = 32_767

    /// Reads the file (CSV or XLSX) and imports it.
    static func result(from data: Data, filename: String?, limit: Int = defaultLimit) throws(AudienceError) -> AudienceImportResult {
        let read = try AudienceFile.rows(from: data, filename: filename)
        var rows: [[String]] = []
        rows.reserveCapacity(read.count)
        for (index, cells) in read.enumerated() {
            // The byte count is at hand; the UTF-16 count is only worked out for the rare cell that might be too long.
            if cells.contains(where: { $0.utf8.count > maxCellLength && $0.utf16.count > maxCellLength }) {
                throw .cellTooLong(row: index + 1, limit: maxCellLength)
            }
            // The database cannot store U+0000, and no name or value means it: it is dropped from every cell.
            rows.append(cells.map { $0.contains("\u{0}") ? $0.replacingOccurrences(of: "\u{0}", with: "") : $0 })
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
        var beyondLimit = 0
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
            case .success where recipients.count + beyondLimit >= limit:
                // Counted for the refusal's message, not kept: past the limit the upload is refused anyway.
                beyondLimit += 1
            case .success(let phone):
                // Blank cells are left out (a blank and a missing value read alike), so a header of thousands of columns
                // costs what its filled cells cost, not columns × rows.
                var values: [String: String] = [:]
                for column in header.variables {
                    let value = cell(column.index, of: cells)
                    if !value.isEmpty, values[column.name] == nil { values[column.name] = value }
                }
                recipients.append(AudienceRecipient(row: row, phone: phone, name: cell(header.nameIndex, of: cells), values: values))
            }
        }
        // D-13: more valid rows than the limit refuses the upload (422), rather than silently truncating it.
        guard beyondLimit == 0 else { throw .tooLarge(count: recipients.count + beyondLimit, limit: limit) }
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

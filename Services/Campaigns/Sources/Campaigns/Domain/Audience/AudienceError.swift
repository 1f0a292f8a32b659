/// Why an audience upload was refused as a whole. Row-level problems are not errors: they become `SkippedRow`s.
/// One enum for the whole upload path (file, reader, import) so the API maps it to one response shape.
enum AudienceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// CA-29: the header row is wrong; the whole upload fails with "Invalid header/format". Lists every problem.
    case header([HeaderProblem])
    /// D-13: more valid recipients than the upload may hold.
    case tooLarge(count: Int, limit: Int)
    /// The uploaded file is bigger than `AudienceFile.maxBytes`.
    case fileTooLarge(bytes: Int, limit: Int)
    /// CA-27: only .csv and .xlsx are read; carries the extension (or the sniffed kind) that was refused.
    case unsupportedFile(String)
    /// A CSV quote that is never closed; `row` is the record (1-based) where the quoted field began.
    case unterminatedQuote(row: Int)
    /// More rows than a reader accepts (a guard against files that expand into millions of rows).
    case tooManyRows(limit: Int)
    /// More columns in one row than a reader accepts.
    case tooManyColumns(limit: Int)
    /// More cells in all than a reader accepts: rows × columns would not fit in memory.
    case tooManyCells(limit: Int)
    /// A cell longer than a spreadsheet cell can be; `row` is the file's row (1-based).
    case cellTooLong(row: Int, limit: Int)
    /// The bytes are not a zip archive, so not an .xlsx.
    case notZip
    /// The workbook has no worksheet to read.
    case noWorksheet
    /// A part of the .xlsx inflates past the per-entry limit (zip-bomb guard).
    case entryTooLarge(path: String, limit: Int)
    /// A part of the .xlsx is damaged or not what OOXML allows (bad XML, a DTD, a bad cell reference…);
    /// `path` is "" when the zip structure itself is damaged.
    case corrupt(path: String, reason: String)

    /// The stable code the API returns (`{"error":{"code":…}}`).
    var code: String {
        switch self {
        case .header: "audience.header.invalid"
        case .tooLarge: "audience.too_large"
        case .fileTooLarge: "audience.file.too_large"
        case .unsupportedFile: "audience.file.unsupported"
        case .unterminatedQuote: "audience.file.unterminated_quote"
        case .tooManyRows: "audience.file.too_many_rows"
        case .tooManyColumns: "audience.file.too_many_columns"
        case .tooManyCells: "audience.file.too_many_cells"
        case .cellTooLong: "audience.file.cell_too_long"
        case .notZip: "audience.xlsx.not_zip"
        case .noWorksheet: "audience.xlsx.no_worksheet"
        case .entryTooLarge: "audience.xlsx.entry_too_large"
        case .corrupt: "audience.xlsx.corrupt"
        }
    }

    /// A message for people; never includes cell contents beyond a header name.
    var message: String {
        switch self {
        case .header(let problems): "Invalid header/format: " + problems.map(\.message).joined(separator: "; ")
        case .tooLarge(let count, let limit): "The file has \(count) valid numbers; at most \(limit) are allowed per upload."
        case .fileTooLarge(let bytes, let limit): "The file is \(bytes) bytes; at most \(limit) bytes are allowed."
        case .unsupportedFile(let kind): "Unsupported file type \(kind.isEmpty ? "(unknown)" : kind); upload a .csv or .xlsx file."
        case .unterminatedQuote(let row): "A quoted field that starts in row \(row) is never closed."
        case .tooManyRows(let limit): "The file has more than \(limit) rows."
        case .tooManyColumns(let limit): "A row has more than \(limit) columns."
        case .tooManyCells(let limit): "The file has more than \(limit) cells."
        case .cellTooLong(let row, let limit): "A cell in row \(row) has more than \(limit) characters."
        case .notZip: "The file is not a valid .xlsx workbook."
        case .noWorksheet: "The workbook has no worksheet."
        case .entryTooLarge(let path, let limit): "The workbook part \(path) is larger than \(limit) bytes when unpacked."
        case .corrupt(let path, let reason): "The workbook\(path.isEmpty ? "" : " part " + path) is damaged: \(reason)."
        }
    }

    var description: String { "\(code): \(message)" }
}

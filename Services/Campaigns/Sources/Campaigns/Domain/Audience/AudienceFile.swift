import Foundation

/// The uploaded audience file (CA-27): recognises .csv and .xlsx and turns either into rows of cells.
enum AudienceFile {
    enum Format: String, Sendable, Equatable {
        case csv
        case xlsx
    }

    /// CA-27: uploads are small by design (≤ 5,000 recipients); 10 MB leaves room for many variable columns.
    static let maxBytes = 10 * 1024 * 1024
    /// Row, column and cell ceilings shared by both readers, far above any real audience but low enough to keep
    /// memory bounded whatever the file claims.
    static let maxRows = 100_000
    static let maxColumns = 16_384
    static let maxCells = 4_000_000

    /// A zip's local-file-header signature: every .xlsx starts with it.
    static let zipMagic: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
    /// Formats people often upload by mistake, recognised so they get "unsupported" rather than a parse error.
    private static let foreignMagic: [(magic: [UInt8], kind: String)] = [
        ([0xD0, 0xCF, 0x11, 0xE0], "xls"),
        (Array("%PDF".utf8), "pdf"),
    ]

    /// CA-27: the extension decides when there is one; content decides when there is none (or it lies about a zip).
    static func format(of data: Data, filename: String?) throws(AudienceError) -> Format {
        let ext = filename.map(fileExtension) ?? ""
        let head = [UInt8](data.prefix(8))
        if let foreign = foreignMagic.first(where: { head.starts(with: $0.magic) }) {
            throw .unsupportedFile(ext.isEmpty ? foreign.kind : ext)
        }
        switch ext {
        case "xlsx": return .xlsx
        // A workbook renamed to .csv is still a workbook; reading it as text would only produce a header error.
        case "csv", "txt", "": return head.starts(with: zipMagic) ? .xlsx : .csv
        default: throw .unsupportedFile(ext)
        }
    }

    /// The rows of the first sheet (xlsx) or of the file (csv), the header row first.
    static func rows(from data: Data, filename: String?) throws(AudienceError) -> [[String]] {
        guard data.count <= maxBytes else { throw .fileTooLarge(bytes: data.count, limit: maxBytes) }
        switch try format(of: data, filename: filename) {
        case .csv: return try CSVReader().rows(from: data)
        case .xlsx: return try XLSXReader().rows(from: data)
        }
    }

    private static func fileExtension(_ filename: String) -> String {
        let name = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].trimmingCharacters(in: .whitespaces).lowercased()
    }
}

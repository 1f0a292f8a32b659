import Foundation

/// Reads an audience CSV (RFC 4180) into rows of fields: quoted fields with `""` escapes and embedded line breaks,
/// CRLF, LF or CR line ends. Fields are returned as written (not trimmed): trimming is the import's business.
///
/// Parsing runs over UTF-8 bytes: every byte that matters (quote, separator, CR, LF) is ASCII, and UTF-8 never
/// reuses ASCII bytes inside a multi-byte character, so this is exact and several times faster than characters.
struct CSVReader: Sendable {
    /// Guards against a small file that parses into millions of rows or cells (10 MB of newlines or commas).
    var maxRows = AudienceFile.maxRows
    var maxColumns = AudienceFile.maxColumns
    var maxCells = AudienceFile.maxCells

    func rows(from data: Data) throws(AudienceError) -> [[String]] {
        try rows(utf8: Self.utf8(data))
    }

    func rows(from text: String) throws(AudienceError) -> [[String]] {
        try rows(utf8: Array(text.utf8))
    }

    /// The RFC 4180 state machine, in one loop over the bytes.
    private func rows(utf8 bytes: [UInt8]) throws(AudienceError) -> [[String]] {
        // A BOM that survived decoding (a String handed in directly) is not part of the first header.
        var index = bytes.starts(with: Self.utf8BOM) ? Self.utf8BOM.count : 0
        let separator = Self.separator(utf8: bytes[index...])
        var rows: [[String]] = []
        var row: [String] = []
        var fieldStart = index
        var quoted: [UInt8]?
        var cells = 0
        var quoteOpenedInRow = 0
        /// False once anything of the current record was read, so a final line without a line break still counts.
        var atRecordStart = true

        func endField(at end: Int) throws(AudienceError) {
            row.append(quoted.map { String(decoding: $0, as: UTF8.self) } ?? String(decoding: bytes[fieldStart..<end], as: UTF8.self))
            quoted = nil
            cells += 1
            guard row.count <= maxColumns else { throw .tooManyColumns(limit: maxColumns) }
            guard cells <= maxCells else { throw .tooManyCells(limit: maxCells) }
        }

        func endRecord(at end: Int) throws(AudienceError) {
            try endField(at: end)
            rows.append(row)
            row = []
            atRecordStart = true
            guard rows.count <= maxRows else { throw .tooManyRows(limit: maxRows) }
        }

        while index < bytes.count {
            let byte = bytes[index]
            atRecordStart = false
            // Only a quote at the very start of a field opens a quoted field (RFC 4180); elsewhere it is literal.
            if byte == Byte.quote, index == fieldStart, quoted == nil {
                quoteOpenedInRow = rows.count + 1
                var buffer: [UInt8] = []
                index += 1
                while true {
                    guard index < bytes.count else {
                        // The rest of the file would be swallowed into one field: refuse it.
                        throw .unterminatedQuote(row: quoteOpenedInRow)
                    }
                    let inner = bytes[index]
                    index += 1
                    guard inner == Byte.quote else {
                        buffer.append(inner)
                        continue
                    }
                    guard index < bytes.count, bytes[index] == Byte.quote else { break }
                    buffer.append(Byte.quote)
                    index += 1
                }
                // Text after a closing quote (`"ab"c`) is kept, as spreadsheet programs do, rather than refused.
                while index < bytes.count, bytes[index] != separator, bytes[index] != Byte.carriageReturn, bytes[index] != Byte.lineFeed {
                    buffer.append(bytes[index])
                    index += 1
                }
                quoted = buffer
                continue
            }
            switch byte {
            case separator:
                try endField(at: index)
                fieldStart = index + 1
            case Byte.carriageReturn, Byte.lineFeed:
                try endRecord(at: index)
                index += byte == Byte.carriageReturn && index + 1 < bytes.count && bytes[index + 1] == Byte.lineFeed ? 1 : 0
                fieldStart = index + 1
            default:
                break
            }
            index += 1
        }
        if !atRecordStart { try endRecord(at: bytes.count) }
        return rows
    }

    /// `,` unless the header line has no comma: then `;` (Excel in European locales) or a tab (Unicode-text export).
    static func separator(for text: String) -> Unicode.Scalar {
        Unicode.Scalar(separator(utf8: Array(text.utf8)[...]))
    }

    private static func separator(utf8 bytes: ArraySlice<UInt8>) -> UInt8 {
        let headerLine = bytes.prefix { $0 != Byte.lineFeed && $0 != Byte.carriageReturn }
        for candidate in [Byte.comma, Byte.semicolon, Byte.tab] where headerLine.contains(candidate) { return candidate }
        return Byte.comma
    }

    static let utf8BOM: [UInt8] = [0xEF, 0xBB, 0xBF]

    enum Byte {
        static let quote = UInt8(ascii: "\"")
        static let comma = UInt8(ascii: ",")
        static let semicolon = UInt8(ascii: ";")
        static let tab = UInt8(ascii: "\t")
        static let lineFeed = UInt8(ascii: "\n")
        static let carriageReturn = UInt8(ascii: "\r")
    }
}

/// The small SpreadsheetML/OPC parts the reader needs to find the first sheet, decoded with XMLCoder (namespace
/// prefixes stripped, so `x:sheet` and `sheet` read the same). Everything else in a part is ignored. The large
/// parts, the worksheet and the shared strings, are streamed by `XLSXStreamParser` instead.
enum XLSXParts {
    /// `xl/workbook.xml`: the sheets in tab order.
    struct Workbook: Decodable {
        struct Sheets: Decodable {
            var sheet: [Sheet]?
        }

        struct Sheet: Decodable {
            var name: String?
            var relationshipID: String?

            enum CodingKeys: String, CodingKey {
                case name
                case relationshipID = "r:id"
            }
        }

        /// `<workbookPr date1904="1"/>`: serials count from 1904 (old Mac workbooks).
        struct Properties: Decodable {
            var date1904: String?
        }

        var sheets: Sheets?
        var workbookPr: Properties?

        var usesDate1904: Bool { ["1", "true"].contains(workbookPr?.date1904?.lowercased() ?? "") }
    }

    /// `xl/styles.xml`: each cell style's number format, to tell dates from numbers (`XLSXDates`).
    struct Styles: Decodable {
        struct NumberFormats: Decodable {
            var numFmt: [NumberFormat]?
        }

        struct NumberFormat: Decodable {
            var numFmtId: String?
            var formatCode: String?
        }

        struct CellFormats: Decodable {
            var xf: [CellFormat]?
        }

        struct CellFormat: Decodable {
            var numFmtId: String?
        }

        var numFmts: NumberFormats?
        var cellXfs: CellFormats?

        /// The cell style indexes (a cell's `s`) whose number format shows a date or a time, and what it shows.
        var dateStyles: [Int: XLSXDates.Kind] {
            var codes: [Int: String] = [:]
            for format in numFmts?.numFmt ?? [] {
                if let id = format.numFmtId.flatMap(Int.init), let code = format.formatCode { codes[id] = code }
            }
            var styles: [Int: XLSXDates.Kind] = [:]
            for (index, format) in (cellXfs?.xf ?? []).enumerated() {
                if let id = format.numFmtId.flatMap(Int.init), let kind = XLSXDates.kind(formatID: id, code: codes[id]) { styles[index] = kind }
            }
            return styles
        }
    }

    /// `xl/_rels/workbook.xml.rels`: where each sheet (and the shared-string table) lives.
    struct Relationships: Decodable {
        struct Relationship: Decodable {
            var id: String?
            var type: String?
            var target: String?
            var targetMode: String?

            enum CodingKeys: String, CodingKey {
                case id = "Id"
                case type = "Type"
                case target = "Target"
                case targetMode = "TargetMode"
            }
        }

        var relationship: [Relationship]?

        enum CodingKeys: String, CodingKey {
            case relationship = "Relationship"
        }
    }
}

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

        var sheets: Sheets?
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

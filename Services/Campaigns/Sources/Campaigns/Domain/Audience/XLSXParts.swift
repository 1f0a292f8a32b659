/// The few SpreadsheetML/OPC elements the reader needs, decoded with XMLCoder (namespace prefixes stripped, so
/// `x:row` and `row` read the same). Everything else in a part is ignored.
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

    /// `xl/sharedStrings.xml`.
    struct SharedStrings: Decodable {
        var si: [RichText]?
    }

    /// `<si>` or `<is>`: either one `<t>` or rich-text runs `<r><t>…</t></r>`; phonetic runs (`<rPh>`) are not text.
    struct RichText: Decodable {
        struct Run: Decodable {
            var t: Text?
        }

        var t: Text?
        var r: [Run]?

        var text: String { (t?.value ?? "") + (r ?? []).map { $0.t?.value ?? "" }.joined() }
    }

    /// A `<t>`, which may carry `xml:space="preserve"`; its text is the element's value.
    struct Text: Decodable {
        var value: String?

        enum CodingKeys: String, CodingKey {
            case value = ""
        }
    }

    /// A worksheet: only its cells matter.
    struct Worksheet: Decodable {
        struct SheetData: Decodable {
            var row: [Row]?
        }

        struct Row: Decodable {
            var r: String?
            var c: [Cell]?
        }

        struct Cell: Decodable {
            var r: String?
            var t: String?
            var v: String?
            var inline: RichText?

            enum CodingKeys: String, CodingKey {
                case r, t, v
                case inline = "is"
            }
        }

        var sheetData: SheetData?
    }
}

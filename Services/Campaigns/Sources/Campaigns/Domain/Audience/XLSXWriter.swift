import Foundation
import ZIPFoundation

/// Writes a minimal one-sheet .xlsx: content types, package and workbook relationships, the workbook and one
/// worksheet (plus a shared-string table when a cell asks for one). No styles: Excel opens it with defaults.
/// Used for the CA-30 sample file; tests use it to build workbooks with every cell kind the reader handles.
struct XLSXWriter: Sendable {
    enum Cell: Equatable, Sendable {
        /// `t="inlineStr"`, what the sample uses so Excel never turns a phone number into `9.19877E+11`.
        case inline(String)
        /// `t="s"`, an index into `xl/sharedStrings.xml`, what Excel itself writes for text.
        case shared(String)
        /// A numeric cell holding the text as stored, such as `9.19876543210E11`.
        case number(String)
        case boolean(Bool)
        /// No `<c>` element at all: the reader must keep the next cells' positions from their references.
        case absent
    }

    var rows: [[Cell]]
    var sheetName = "Sheet1"
    /// Fixed so the same rows always give the same bytes (downloads can be cached and compared).
    var modificationDate = Date(timeIntervalSince1970: 1_767_225_600)

    init(rows: [[Cell]]) {
        self.rows = rows
    }

    func data() throws -> Data {
        var shared: [String] = []
        var sharedIndex: [String: Int] = [:]
        var sheet = #"<worksheet xmlns="\#(Self.mainNamespace)"><sheetData>"#
        for (rowOffset, cells) in rows.enumerated() {
            sheet += #"<row r="\#(rowOffset + 1)">"#
            for (column, cell) in cells.enumerated() {
                let reference = Self.columnName(column) + String(rowOffset + 1)
                switch cell {
                case .inline(let text):
                    sheet += #"<c r="\#(reference)" t="inlineStr"><is><t xml:space="preserve">\#(Self.escape(text))</t></is></c>"#
                case .shared(let text):
                    let index = sharedIndex[text] ?? shared.count
                    if index == shared.count {
                        shared.append(text)
                        sharedIndex[text] = index
                    }
                    sheet += #"<c r="\#(reference)" t="s"><v>\#(index)</v></c>"#
                case .number(let stored):
                    sheet += #"<c r="\#(reference)"><v>\#(Self.escape(stored))</v></c>"#
                case .boolean(let value):
                    sheet += #"<c r="\#(reference)" t="b"><v>\#(value ? 1 : 0)</v></c>"#
                case .absent:
                    continue
                }
            }
            sheet += "</row>"
        }
        sheet += "</sheetData></worksheet>"
        var parts = [
            ("[Content_Types].xml", contentTypes(withSharedStrings: !shared.isEmpty)),
            ("_rels/.rels", Self.packageRelationships),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", workbookRelationships(withSharedStrings: !shared.isEmpty)),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
        if !shared.isEmpty {
            let items = shared.map { #"<si><t xml:space="preserve">\#(Self.escape($0))</t></si>"# }.joined()
            parts.append(("xl/sharedStrings.xml", #"<sst xmlns="\#(Self.mainNamespace)" uniqueCount="\#(shared.count)">\#(items)</sst>"#))
        }
        return try Self.zip(parts.map { ($0.0, Data((Self.declaration + $0.1).utf8)) }, modificationDate: modificationDate)
    }

    /// A deflated zip of `entries`, in order, built in memory with ZIPFoundation.
    static func zip(_ entries: [(path: String, content: Data)], modificationDate: Date = Date(timeIntervalSince1970: 1_767_225_600))
        throws -> Data
    {
        let archive = try Archive(data: Data(), accessMode: .create)
        for entry in entries {
            try archive.addEntry(
                with: entry.path, type: .file, uncompressedSize: Int64(entry.content.count), modificationDate: modificationDate,
                compressionMethod: .deflate,
                provider: { position, size in entry.content.subdata(in: Int(position)..<Int(position) + size) })
        }
        guard let data = archive.data else { throw CocoaError(.fileWriteUnknown) }
        return data
    }

    /// 0 → A, 25 → Z, 26 → AA.
    static func columnName(_ index: Int) -> String {
        var name = ""
        var rest = index + 1
        while rest > 0 {
            let digit = (rest - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + digit))) + name
            rest = (rest - 1) / 26
        }
        return name
    }

    /// XML text: the five specials escaped, CR kept as a reference (parsers turn a literal CR into LF), and the
    /// control characters XML 1.0 cannot carry at all dropped.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            case "\r": escaped += "&#13;"
            case "\t", "\n": escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    private static let declaration = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
    private static let mainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    private static let relationshipNamespace = "http://schemas.openxmlformats.org/package/2006/relationships"
    private static let officeRelationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    private static let packageRelationships =
        #"<Relationships xmlns="\#(relationshipNamespace)"><Relationship Id="rId1" Type="\#(officeRelationships)/officeDocument" "#
        + #"Target="xl/workbook.xml"/></Relationships>"#

    private var workbook: String {
        #"<workbook xmlns="\#(Self.mainNamespace)" xmlns:r="\#(Self.officeRelationships)"><sheets>"#
            + #"<sheet name="\#(Self.escape(sheetName))" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    }

    private func contentTypes(withSharedStrings: Bool) -> String {
        let spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        var types = #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
        types += #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
        types += #"<Default Extension="xml" ContentType="application/xml"/>"#
        types += #"<Override PartName="/xl/workbook.xml" ContentType="\#(spreadsheet).sheet.main+xml"/>"#
        types += #"<Override PartName="/xl/worksheets/sheet1.xml" ContentType="\#(spreadsheet).worksheet+xml"/>"#
        if withSharedStrings {
            types += #"<Override PartName="/xl/sharedStrings.xml" ContentType="\#(spreadsheet).sharedStrings+xml"/>"#
        }
        return types + "</Types>"
    }

    private func workbookRelationships(withSharedStrings: Bool) -> String {
        var relationships = #"<Relationships xmlns="\#(Self.relationshipNamespace)">"#
        relationships += #"<Relationship Id="rId1" Type="\#(Self.officeRelationships)/worksheet" Target="worksheets/sheet1.xml"/>"#
        if withSharedStrings {
            relationships += #"<Relationship Id="rId2" Type="\#(Self.officeRelationships)/sharedStrings" Target="sharedStrings.xml"/>"#
        }
        return relationships + "</Relationships>"
    }
}

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Streams the two large parts of an .xlsx, the worksheet and the shared-string table, through Foundation's
/// `XMLParser` (libxml2's SAX interface): XMLCoder builds a tree of the whole part first and was about ten times
/// slower on a 5,000-row sheet. Namespace prefixes are stripped, as XMLCoder does for the small parts, so `x:row`
/// and `row` read the same; elements are matched by their path below the root, so anything else is ignored.
///
/// Text is kept as written (`xml:space="preserve"` runs keep their spaces; trimming is the import's business),
/// except a `<v>`, whose number, index or flag is trimmed.
enum XLSXStreamParser {
    /// `xl/sharedStrings.xml`: the text of each `<si>`, plain `<t>` or rich-text runs `<r><t>…</t></r>`.
    static func sharedStrings(from data: Data, path: String) throws(AudienceError) -> [String] {
        let handler = SharedStringsHandler()
        try parse(data, path: path, with: handler)
        return handler.strings
    }

    /// A worksheet's rows, placed by `XLSXSheetBuilder` as each `<c>` and `<row>` ends.
    static func rows(from data: Data, builder: XLSXSheetBuilder) throws(AudienceError) -> [[String]] {
        let handler = WorksheetHandler(builder: builder)
        try parse(data, path: builder.path, with: handler)
        return handler.builder.rows
    }

    /// Synchronous: `handler` lives only for this call and never leaves the current task.
    private static func parse(_ data: Data, path: String, with handler: PartHandler) throws(AudienceError) {
        // Before libxml2 sees a byte: no DTD, so no entity can be declared, let alone expanded; nesting capped.
        try XMLGuard.check(data, path: path)
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = handler
        let parsed = parser.parse()
        if let failure = handler.failure { throw failure }
        // swift-corelibs-foundation parses in libxml2's recover mode (repairs are accepted, as with XMLCoder) and
        // never ends the document, so a truncated part would parse "successfully": the root must have closed.
        guard parsed, handler.complete else {
            throw .corrupt(path: path, reason: "it is not well-formed SpreadsheetML")
        }
    }
}

/// The `XMLParserDelegate` both parts share: it tracks the open elements (local names, root first), collects the
/// text of the one element a subclass asks for, and stops at the first error a subclass throws.
private class PartHandler: NSObject, XMLParserDelegate {
    private(set) var path: [String] = []
    private(set) var failure: AudienceError?
    /// The root element has closed.
    private(set) var complete = false
    /// The depth of the element whose text is being collected; text in elements nested inside it is not its own.
    private var captureDepth: Int?
    private var text = ""

    /// Called once `name` is the last of `path`; returns whether to collect that element's text.
    func started(_ name: String, attributes: [String: String]) throws(AudienceError) -> Bool { false }

    /// Called while `name` is still the last of `path`; `text` is nil unless `started` asked for it.
    func ended(_ name: String, text: String?) throws(AudienceError) {}

    /// Whether the open elements below the root are exactly `names`.
    final func isAt(_ names: [String]) -> Bool {
        path.count == names.count + 1 && path.dropFirst().elementsEqual(names)
    }

    final func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String]
    ) {
        guard failure == nil else { return }
        path.append(elementName)
        do {
            if try started(elementName, attributes: attributes) {
                captureDepth = path.count
                text = ""
            }
        } catch {
            abort(parser, with: error)
        }
    }

    final func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard failure == nil, !path.isEmpty else { return }
        let captured = captureDepth == path.count ? text : nil
        if captured != nil {
            captureDepth = nil
            text = ""
        }
        do {
            try ended(elementName, text: captured)
        } catch {
            abort(parser, with: error)
        }
        path.removeLast()
        complete = path.isEmpty
    }

    final func parser(_ parser: XMLParser, foundCharacters string: String) {
        if captureDepth == path.count { text += string }
    }

    final func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if captureDepth == path.count { text += String(decoding: CDATABlock, as: UTF8.self) }
    }

    private func abort(_ parser: XMLParser, with error: AudienceError) {
        failure = error
        parser.abortParsing()
    }
}

/// `<sst><si>…</si></sst>`; phonetic runs (`<rPh>`) are not text.
private final class SharedStringsHandler: PartHandler {
    private static let item = ["si"]
    private static let plain = ["si", "t"]
    private static let run = ["si", "r", "t"]

    private(set) var strings: [String] = []
    private var current = ""

    override func started(_ name: String, attributes: [String: String]) -> Bool {
        switch name {
        case "si" where isAt(Self.item):
            current = ""
            return false
        case "t": return isAt(Self.plain) || isAt(Self.run)
        default: return false
        }
    }

    override func ended(_ name: String, text: String?) {
        if let text {
            current += text
        } else if name == "si", isAt(Self.item) {
            strings.append(current)
        }
    }
}

/// `<worksheet><sheetData><row><c><v>…</v></c></row></sheetData></worksheet>`, inline strings as `<c><is>` holding
/// a plain `<t>` or rich-text runs.
private final class WorksheetHandler: PartHandler {
    private static let row = ["sheetData", "row"]
    private static let cell = ["sheetData", "row", "c"]
    private static let value = ["sheetData", "row", "c", "v"]
    private static let inline = ["sheetData", "row", "c", "is"]
    private static let inlinePlain = ["sheetData", "row", "c", "is", "t"]
    private static let inlineRun = ["sheetData", "row", "c", "is", "r", "t"]

    private(set) var builder: XLSXSheetBuilder
    private var cell: XLSXSheetBuilder.Cell?

    init(builder: XLSXSheetBuilder) {
        self.builder = builder
    }

    override func started(_ name: String, attributes: [String: String]) throws(AudienceError) -> Bool {
        switch name {
        case "row" where isAt(Self.row):
            try builder.startRow(reference: attributes["r"])
        case "c" where isAt(Self.cell):
            cell = XLSXSheetBuilder.Cell(reference: attributes["r"], type: attributes["t"], style: attributes["s"].flatMap { Int($0) })
        case "v": return isAt(Self.value)
        case "is" where isAt(Self.inline):
            if cell?.inline == nil { cell?.inline = "" }
        case "t": return isAt(Self.inlinePlain) || isAt(Self.inlineRun)
        default: break
        }
        return false
    }

    override func ended(_ name: String, text: String?) throws(AudienceError) {
        if let text {
            // `<t>` is only collected inside `<is>`, which has made `inline` non-nil.
            if name == "v" { cell?.value += Self.trimmed(text) } else { cell?.inline?.append(text) }
            return
        }
        switch name {
        case "c" where isAt(Self.cell):
            if let cell { try builder.add(cell) }
            cell = nil
        case "row" where isAt(Self.row):
            builder.endRow()
        default: break
        }
    }

    /// `trimmingCharacters` bridges through NSString on Linux: only pay for it when there is something to trim.
    private static func trimmed(_ text: String) -> String {
        guard text.first?.isWhitespace == true || text.last?.isWhitespace == true else { return text }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

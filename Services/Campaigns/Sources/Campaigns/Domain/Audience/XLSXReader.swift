import Foundation
import XMLCoder

/// Reads the first worksheet of an .xlsx into rows of cell text. `rows[0]` is the sheet's row 1; a missing row is
/// `[]` and a missing cell `""`, so positions match what the user sees in Excel. The small parts (workbook and its
/// relationships) are decoded with XMLCoder; the worksheet and shared strings are streamed (`XLSXStreamParser`).
struct XLSXReader: Sendable {
    var maxRows = AudienceFile.maxRows
    var maxCells = AudienceFile.maxCells

    private static let fallbackSheet = "xl/worksheets/sheet1.xml"
    private static let fallbackSharedStrings = "xl/sharedStrings.xml"
    private static let sharedStringsType = "/sharedStrings"
    private static let fallbackStyles = "xl/styles.xml"
    private static let stylesType = "/styles"

    func rows(from data: Data) throws(AudienceError) -> [[String]] {
        let package = try XLSXPackage(data: data)
        let parts = try locateParts(in: package)
        let shared = try sharedStrings(at: parts.sharedStrings, in: package)
        guard let sheetData = try package.read(parts.sheet) else { throw .noWorksheet }
        var builder = XLSXSheetBuilder(path: parts.sheet, sharedStrings: shared, maxRows: maxRows, maxCells: maxCells)
        // Dates are numbers with a date format: without the styles (or unreadable ones) they stay numbers.
        if let data = try? package.read(parts.styles), let styles = try? decode(XLSXParts.Styles.self, from: data, path: parts.styles) {
            builder.dateStyles = styles.dateStyles
        }
        builder.date1904 = parts.date1904
        return try XLSXStreamParser.rows(from: sheetData, builder: builder)
    }

    /// The first sheet in tab order, through the workbook and its relationships; `sheet1.xml` when those are
    /// missing or unreadable, as some generators write no relationships at all.
    private func locateParts(
        in package: XLSXPackage
    ) throws(AudienceError) -> (sheet: String, sharedStrings: String, styles: String, date1904: Bool) {
        let workbookPath = "xl/workbook.xml"
        let relationshipsPath = "xl/_rels/workbook.xml.rels"
        var sheet: String?
        var sharedStrings = Self.fallbackSharedStrings
        var styles = Self.fallbackStyles
        var date1904 = false
        if let workbookData = try package.read(workbookPath), let relationshipsData = try package.read(relationshipsPath) {
            let workbook = try? decode(XLSXParts.Workbook.self, from: workbookData, path: workbookPath)
            let relationships = try? decode(XLSXParts.Relationships.self, from: relationshipsData, path: relationshipsPath)
            let inPackage = (relationships?.relationship ?? []).filter { $0.targetMode?.lowercased() != "external" }
            if let id = workbook?.sheets?.sheet?.first?.relationshipID,
                let target = inPackage.first(where: { $0.id == id })?.target
            {
                sheet = Self.resolve(target, against: "xl")
            }
            if let target = inPackage.first(where: { $0.type?.hasSuffix(Self.sharedStringsType) == true })?.target {
                sharedStrings = Self.resolve(target, against: "xl")
            }
            if let target = inPackage.first(where: { $0.type?.hasSuffix(Self.stylesType) == true })?.target {
                styles = Self.resolve(target, against: "xl")
            }
            date1904 = workbook?.usesDate1904 ?? false
        }
        if let sheet, package.contains(sheet) { return (sheet, sharedStrings, styles, date1904) }
        guard package.contains(Self.fallbackSheet) else { throw .noWorksheet }
        return (Self.fallbackSheet, sharedStrings, styles, date1904)
    }

    private func sharedStrings(at path: String, in package: XLSXPackage) throws(AudienceError) -> [String] {
        guard let data = try package.read(path) else { return [] }
        return try XLSXStreamParser.sharedStrings(from: data, path: path)
    }

    /// The small parts only: XMLCoder builds the whole tree before decoding.
    private func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws(AudienceError) -> T {
        try XMLGuard.check(data, path: path)
        let decoder = XMLDecoder()
        decoder.shouldProcessNamespaces = true
        do {
            return try decoder.decode(type, from: data)
        } catch {
            throw .corrupt(path: path, reason: "it is not well-formed SpreadsheetML")
        }
    }

    /// Resolves a relationship target: absolute (`/xl/worksheets/sheet1.xml`) from the package root, relative
    /// (`worksheets/sheet1.xml`, `../xl/…`) from the folder of the part that owns the relationships.
    static func resolve(_ target: String, against folder: String) -> String {
        let absolute = target.hasPrefix("/")
        var components = absolute ? [] : folder.split(separator: "/").map(String.init)
        for component in target.split(separator: "/") {
            switch component {
            case ".": continue
            case "..": _ = components.popLast()
            default: components.append(String(component))
            }
        }
        return components.joined(separator: "/")
    }
}

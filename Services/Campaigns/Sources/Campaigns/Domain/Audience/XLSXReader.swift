import Foundation
import XMLCoder

/// Reads the first worksheet of an .xlsx into rows of cell text. `rows[0]` is the sheet's row 1; a missing row is
/// `[]` and a missing cell `""`, so positions match what the user sees in Excel.
struct XLSXReader: Sendable {
    var maxRows = AudienceFile.maxRows
    var maxCells = AudienceFile.maxCells

    private static let fallbackSheet = "xl/worksheets/sheet1.xml"
    private static let fallbackSharedStrings = "xl/sharedStrings.xml"
    private static let sharedStringsType = "/sharedStrings"

    func rows(from data: Data) throws(AudienceError) -> [[String]] {
        let package = try XLSXPackage(data: data)
        let parts = try locateParts(in: package)
        let shared = try sharedStrings(at: parts.sharedStrings, in: package)
        guard let sheetData = try package.read(parts.sheet) else { throw .noWorksheet }
        let sheet = try decode(XLSXParts.Worksheet.self, from: sheetData, path: parts.sheet)
        return try cells(of: sheet, sharedStrings: shared, path: parts.sheet)
    }

    /// The first sheet in tab order, through the workbook and its relationships; `sheet1.xml` when those are
    /// missing or unreadable, as some generators write no relationships at all.
    private func locateParts(in package: XLSXPackage) throws(AudienceError) -> (sheet: String, sharedStrings: String) {
        let workbookPath = "xl/workbook.xml"
        let relationshipsPath = "xl/_rels/workbook.xml.rels"
        var sheet: String?
        var sharedStrings = Self.fallbackSharedStrings
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
        }
        if let sheet, package.contains(sheet) { return (sheet, sharedStrings) }
        guard package.contains(Self.fallbackSheet) else { throw .noWorksheet }
        return (Self.fallbackSheet, sharedStrings)
    }

    private func sharedStrings(at path: String, in package: XLSXPackage) throws(AudienceError) -> [String] {
        guard let data = try package.read(path) else { return [] }
        return try decode(XLSXParts.SharedStrings.self, from: data, path: path).si?.map(\.text) ?? []
    }

    private func cells(of sheet: XLSXParts.Worksheet, sharedStrings: [String], path: String) throws(AudienceError) -> [[String]] {
        var rows: [[String]] = []
        var cellCount = 0
        var nextRow = 1
        for row in sheet.sheetData?.row ?? [] {
            // `r` is optional in OOXML: a row without one follows the previous row.
            let number = try row.r.map { text throws(AudienceError) in
                guard let number = Int(text), number >= 1 else { throw .corrupt(path: path, reason: "row number \"\(text)\"") }
                return number
            } ?? nextRow
            guard number <= maxRows else { throw .tooManyRows(limit: maxRows) }
            nextRow = number + 1
            var values: [String] = []
            var nextColumn = 0
            for cell in row.c ?? [] {
                let column = try cell.r.map { text throws(AudienceError) in
                    guard let reference = XLSXCellReference(text) else { throw .corrupt(path: path, reason: "cell reference \"\(text)\"") }
                    return reference.column
                } ?? nextColumn
                guard column < XLSXCellReference.maxColumn else { throw .tooManyColumns(limit: XLSXCellReference.maxColumn) }
                nextColumn = column + 1
                let value = try text(of: cell, sharedStrings: sharedStrings, path: path)
                // Empty cells add nothing: formatting-only cells out to column XFD must not inflate every row.
                guard !value.isEmpty else { continue }
                if column >= values.count {
                    cellCount += column + 1 - values.count
                    guard cellCount <= maxCells else { throw .tooManyCells(limit: maxCells) }
                    values += repeatElement("", count: column - values.count)
                    values.append(value)
                } else {
                    values[column] = value
                }
            }
            if number > rows.count {
                rows += repeatElement([], count: number - 1 - rows.count)
                rows.append(values)
            } else if !values.isEmpty {
                // A repeated row number merges into the earlier row rather than shifting every row after it.
                for (column, value) in values.enumerated() where !value.isEmpty {
                    if column >= rows[number - 1].count {
                        rows[number - 1] += repeatElement("", count: column + 1 - rows[number - 1].count)
                    }
                    rows[number - 1][column] = value
                }
            }
        }
        return rows
    }

    private func text(of cell: XLSXParts.Worksheet.Cell, sharedStrings: [String], path: String) throws(AudienceError) -> String {
        let stored = cell.v ?? ""
        switch cell.t {
        case "s":
            guard !stored.isEmpty else { return "" }
            guard let index = Int(stored), sharedStrings.indices.contains(index) else {
                throw .corrupt(path: path, reason: "shared string \"\(stored)\" does not exist")
            }
            return sharedStrings[index]
        case "inlineStr": return cell.inline?.text ?? stored
        case "b": return stored == "1" ? "TRUE" : stored == "0" ? "FALSE" : stored
        case nil, "n": return XLSXNumber.text(stored)
        // `str` (formula text), `e` (error such as #N/A), `d` (ISO date): the stored text is what Excel shows.
        default: return stored
        }
    }

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

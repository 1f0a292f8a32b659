/// Places a worksheet's cells as the parser streams them in: `rows[0]` is the sheet's row 1, a missing row is `[]`
/// and a missing cell `""`, so positions match what the user sees in Excel. Enforces the row and cell limits as it
/// goes, so a hostile sheet is refused at the first row past a limit.
struct XLSXSheetBuilder: Sendable {
    /// One `<c>`: its attributes, the text of its `<v>` and, for `t="inlineStr"`, of its `<is>` (nil when absent).
    struct Cell: Sendable {
        var reference: String?
        var type: String?
        /// `s`: the index of the cell's style in the workbook's `cellXfs`.
        var style: Int?
        var value = ""
        var inline: String?
    }

    let path: String
    let sharedStrings: [String]
    let maxRows: Int
    let maxCells: Int
    /// Style indexes whose number format shows a date, and the workbook's epoch (`XLSXDates`).
    var dateStyles: [Int: XLSXDates.Kind] = [:]
    var date1904 = false

    private(set) var rows: [[String]] = []
    private var cellCount = 0
    private var nextRow = 1
    /// The row being read: its number, the values placed so far and where a cell without a reference goes.
    private var number = 0
    private var values: [String] = []
    private var nextColumn = 0

    init(path: String, sharedStrings: [String], maxRows: Int, maxCells: Int) {
        self.path = path
        self.sharedStrings = sharedStrings
        self.maxRows = maxRows
        self.maxCells = maxCells
    }

    mutating func startRow(reference: String?) throws(AudienceError) {
        // `r` is optional in OOXML: a row without one follows the previous row.
        if let reference {
            guard let number = Int(reference), number >= 1 else {
                throw .corrupt(path: path, reason: "row number \"\(reference)\"")
            }
            self.number = number
        } else {
            number = nextRow
        }
        guard number <= maxRows else { throw .tooManyRows(limit: maxRows) }
        nextRow = number + 1
        values = []
        nextColumn = 0
    }

    mutating func add(_ cell: Cell) throws(AudienceError) {
        let column: Int
        if let reference = cell.reference {
            guard let parsed = XLSXCellReference(reference) else {
                throw .corrupt(path: path, reason: "cell reference \"\(reference)\"")
            }
            column = parsed.column
        } else {
            column = nextColumn
        }
        guard column < XLSXCellReference.maxColumn else { throw .tooManyColumns(limit: XLSXCellReference.maxColumn) }
        nextColumn = column + 1
        let value = try text(of: cell)
        // Empty cells add nothing: formatting-only cells out to column XFD must not inflate every row.
        guard !value.isEmpty else { return }
        if column >= values.count {
            cellCount += column + 1 - values.count
            guard cellCount <= maxCells else { throw .tooManyCells(limit: maxCells) }
            values += repeatElement("", count: column - values.count)
            values.append(value)
        } else {
            values[column] = value
        }
    }

    mutating func endRow() {
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
        values = []
    }

    private func text(of cell: Cell) throws(AudienceError) -> String {
        let stored = cell.value
        switch cell.type {
        case "s":
            guard !stored.isEmpty else { return "" }
            guard let index = Int(stored), sharedStrings.indices.contains(index) else {
                throw .corrupt(path: path, reason: "shared string \"\(stored)\" does not exist")
            }
            return sharedStrings[index]
        case "inlineStr": return cell.inline ?? stored
        case "b": return stored == "1" ? "TRUE" : stored == "0" ? "FALSE" : stored
        case nil, "n":
            if let style = cell.style, let kind = dateStyles[style], let date = XLSXDates.text(stored, kind: kind, date1904: date1904) {
                return date
            }
            return XLSXNumber.text(stored)
        // `str` (formula text), `e` (error such as #N/A), `d` (ISO date): the stored text is what Excel shows.
        default: return stored
        }
    }
}

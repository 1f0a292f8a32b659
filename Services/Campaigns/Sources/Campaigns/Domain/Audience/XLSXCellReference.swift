/// An A1-style cell reference (`A1`, `C7`, `AA3`) as 0-based column and 1-based row.
struct XLSXCellReference: Equatable, Sendable {
    /// Excel's own bounds (XFD, 1,048,576); anything beyond cannot come from a real workbook.
    static let maxColumn = 16_384
    static let maxRow = 1_048_576

    var column: Int
    var row: Int

    init(column: Int, row: Int) {
        self.column = column
        self.row = row
    }

    /// Nil for anything that is not letters followed by digits within Excel's bounds.
    init?(_ text: String) {
        var column = 0
        var row = 0
        var letters = 0
        var digits = 0
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A, 0x61...0x7A:
                guard digits == 0, letters < 3 else { return nil }
                column = column * 26 + Int((scalar.value | 0x20) - 0x61) + 1
                letters += 1
            case 0x30...0x39:
                guard letters > 0, digits < 7 else { return nil }
                row = row * 10 + Int(scalar.value - 0x30)
                digits += 1
            default:
                return nil
            }
        }
        guard (1...Self.maxColumn).contains(column), (1...Self.maxRow).contains(row) else { return nil }
        self.column = column - 1
        self.row = row
    }
}

/// The header row of an audience file resolved to column positions (D-13, CA-29).
struct AudienceHeader: Equatable, Sendable {
    /// A variable column: its lowercased, trimmed name and its 0-based position.
    struct Column: Equatable, Sendable {
        var name: String
        var index: Int
    }

    static let nameColumn = "name"
    static let phoneColumn = "phonenumber"
    /// D-13: the phone column may also be headed `phone number` or `phone`.
    static let phoneAliases: Set<String> = [phoneColumn, "phone number", "phone"]

    var nameIndex: Int
    var phoneIndex: Int
    var variables: [Column]

    /// D-13, CA-29: validates the whole header row and reports every problem at once. An unnamed column is ignored
    /// when it holds nothing (a trailing separator), but refused when it holds data the user would silently lose.
    init(_ cells: [String], dataRows: ArraySlice<[String]>) throws(AudienceError) {
        let unnamedWithData = Self.unnamedColumnsHoldingData(cells, dataRows: dataRows)
        var problems: [HeaderProblem] = []
        var firstPosition: [String: Int] = [:]
        var variables: [Column] = []
        for (index, cell) in cells.enumerated() {
            let written = Self.trim(cell)
            let name = written.lowercased()
            let position = index + 1
            if name.isEmpty {
                if unnamedWithData.contains(index) { problems.append(HeaderProblem(kind: .invalid, column: "", position: position)) }
                continue
            }
            guard Self.isAllowed(name) else {
                problems.append(HeaderProblem(kind: .invalid, column: written, position: position))
                continue
            }
            let role = Self.phoneAliases.contains(name) ? Self.phoneColumn : name
            guard firstPosition[role] == nil else {
                problems.append(HeaderProblem(kind: .duplicate, column: written, position: position))
                continue
            }
            firstPosition[role] = index
            if role != Self.phoneColumn && role != Self.nameColumn { variables.append(Column(name: name, index: index)) }
        }
        for required in [Self.nameColumn, Self.phoneColumn] where firstPosition[required] == nil {
            problems.append(HeaderProblem(kind: .missing, column: required, position: nil))
        }
        guard problems.isEmpty, let nameIndex = firstPosition[Self.nameColumn], let phoneIndex = firstPosition[Self.phoneColumn]
        else { throw .header(problems) }
        self.nameIndex = nameIndex
        self.phoneIndex = phoneIndex
        self.variables = variables
    }

    /// One pass over the cells that exist, so a header of thousands of empty cells over many rows stays cheap.
    private static func unnamedColumnsHoldingData(_ cells: [String], dataRows: ArraySlice<[String]>) -> Set<Int> {
        let unnamed = Set(cells.indices.filter { trim(cells[$0]).isEmpty })
        guard !unnamed.isEmpty else { return [] }
        var holdingData: Set<Int> = []
        for row in dataRows {
            for (index, cell) in row.enumerated() where unnamed.contains(index) && !trim(cell).isEmpty { holdingData.insert(index) }
        }
        return holdingData
    }

    /// D-13: headers match case-insensitively after trimming; also how a mapping names a column.
    static func normalize(_ header: String) -> String { trim(header).lowercased() }

    /// Trims whitespace (NBSP included) and the byte-order mark Excel puts before the first header of a UTF-8 CSV.
    static func trim(_ text: String) -> String {
        let scalars = text.unicodeScalars
        func isPadding(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace || scalar == "\u{FEFF}" }
        guard let first = scalars.firstIndex(where: { !isPadding($0) }), let last = scalars.lastIndex(where: { !isPadding($0) })
        else { return "" }
        if first == scalars.startIndex, scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

    /// CA-29: letters, digits, spaces and `_` only. Letters and digits of any script are allowed, with their combining
    /// marks (Devanagari vowel signs are marks), so a Hindi header is not "special characters".
    private static func isAllowed(_ name: String) -> Bool {
        name.unicodeScalars.allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                .nonspacingMark, .spacingMark, .decimalNumber:
                true
            default:
                scalar == " " || scalar == "_"
            }
        }
    }
}

/// One thing wrong with an audience file's header row (CA-29). Every problem is reported, not just the first,
/// so the user can fix the file in one go.
struct HeaderProblem: Equatable, Hashable, Sendable, Codable {
    enum Kind: String, Sendable, Codable {
        /// A header with characters other than letters, digits, space and `_`, or an unnamed column holding data.
        case invalid = "audience.header.invalid"
        /// A required column (`name`, `phonenumber`) is absent.
        case missing = "audience.header.missing"
        /// The same column (after trimming and lowercasing, or two phone aliases) appears twice.
        case duplicate = "audience.header.duplicate"
    }

    var kind: Kind
    /// The header as written (trimmed), or the required column's canonical name when it is missing.
    var column: String
    /// 1-based column position in the file; nil for a missing column.
    var position: Int?

    var code: String { kind.rawValue }

    var message: String {
        let place = position.map { " (column \($0))" } ?? ""
        switch kind {
        case .invalid:
            return column.isEmpty
                ? "a column without a header holds data\(place)"
                : "header \"\(column)\"\(place) may only contain letters, digits, spaces and _"
        case .missing: return "required column \"\(column)\" is missing"
        case .duplicate: return "column \"\(column)\"\(place) appears more than once"
        }
    }
}

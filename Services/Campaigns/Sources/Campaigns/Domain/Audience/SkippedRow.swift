/// CA-32: a data row left out of the audience, for the error report.
struct SkippedRow: Equatable, Hashable, Sendable, Codable {
    /// The row number as the spreadsheet shows it: the header is row 1, the first data row is row 2.
    var row: Int
    var reason: SkipReason
    /// The phone cell as written (trimmed); "" for a blank row.
    var value: String
}

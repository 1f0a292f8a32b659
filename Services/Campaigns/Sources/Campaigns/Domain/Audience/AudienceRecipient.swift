import Contracts

/// One imported audience member (D-13).
struct AudienceRecipient: Equatable, Hashable, Sendable, Codable {
    /// The row number as the spreadsheet shows it (header = row 1).
    var row: Int
    /// Normalised to `+91XXXXXXXXXX`.
    var phone: PhoneNumber
    /// Trimmed; may be "" (CA-35 fallbacks cover it when mapped).
    var name: String
    /// Variable-column values keyed by the lowercased, trimmed header, trimmed; a blank cell has no entry.
    var values: [String: String]
}

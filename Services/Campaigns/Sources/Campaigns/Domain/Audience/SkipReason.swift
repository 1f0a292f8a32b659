import Contracts

/// D-13: why an uploaded row was not imported. Raw values are the codes shown in the skip report and the API.
enum SkipReason: String, Sendable, Codable, CaseIterable {
    case blank
    case invalidFormat = "invalid_format"
    case nonIndian = "non_indian"
    case duplicate

    init(_ error: PhoneNumber.IndianNumberError) {
        switch error {
        case .blank: self = .blank
        case .invalidFormat: self = .invalidFormat
        case .nonIndian: self = .nonIndian
        }
    }
}

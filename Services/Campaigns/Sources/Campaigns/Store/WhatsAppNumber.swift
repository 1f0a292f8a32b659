import Contracts
import Foundation

/// A WhatsApp Business number of a company (issue 5 point 1).
struct WhatsAppNumber: Sendable, Equatable {
    enum Quality: String, Codable, Sendable, CaseIterable {
        case green, yellow, red, unknown

        /// Meta's words in quality webhooks: GREEN/YELLOW/RED or HIGH/MEDIUM/LOW.
        init?(meta: String) {
            switch meta.uppercased() {
            case "GREEN", "HIGH": self = .green
            case "YELLOW", "MEDIUM": self = .yellow
            case "RED", "LOW": self = .red
            case "UNKNOWN", "NA": self = .unknown
            default: return nil
            }
        }
    }

    typealias BusinessHours = OpeningHours

    var id: UUID
    var companyID: CompanyID
    var phoneNumberID: String
    var displayNumber: PhoneNumber
    var displayName: String
    var tier: Int
    var quality: Quality
    var messagesPerSecond: Int
    var timeZone: String
    var businessHours: [BusinessHours]
    /// D-12: recipients counted in the rolling 24 hours when the number was read.
    var quotaUsed: Int
    var createdAt: Date
}

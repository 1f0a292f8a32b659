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

    /// CA-53: opening hours in the number's time zone, days 1 (Monday) … 7 (Sunday), times `HH:mm`.
    struct BusinessHours: Codable, Sendable, Equatable {
        var days: [Int]
        var opens: String
        var closes: String

        var isValid: Bool {
            !days.isEmpty && days.allSatisfy { (1...7).contains($0) } && Set(days).count == days.count
                && Self.minutes(opens) != nil && Self.minutes(closes) != nil && Self.minutes(opens)! < Self.minutes(closes)!
        }

        static func minutes(_ text: String) -> Int? {
            let parts = text.split(separator: ":")
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]), let minute = Int(parts[1]),
                  (0...23).contains(hour), (0...59).contains(minute) else { return nil }
            return hour * 60 + minute
        }
    }

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

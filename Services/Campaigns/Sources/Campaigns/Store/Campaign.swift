import Contracts
import Foundation

/// A campaign (CA-26, D-14): one approved template, one number, one audience, a variable mapping and a send time.
struct Campaign: Sendable {
    var id: CampaignID
    var companyID: CompanyID
    var name: String
    var templateID: UUID
    var numberID: UUID
    var audienceID: UUID
    var mapping: VariableMapping
    var status: CampaignStatus
    var sendAt: Date?
    var recipients: Int
    var quotaGranted: Int?
    var reservationID: String?
    var failureCode: String?
    var failureMessage: String?
    var createdBy: UserID
    var createdAt: Date
    var startedAt: Date?
    var finishedAt: Date?
}

/// What a message sends: a template's resolved variables, or free-form text inside the service window.
enum MessagePayload: Codable, Sendable, Equatable {
    case template(body: [String], header: String?, button: String?)
    case text(String)
    /// CA-54
    case interactive(InteractiveMessage)

    private enum CodingKeys: String, CodingKey { case body, header, button, text, interactive }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let interactive = try container.decodeIfPresent(InteractiveMessage.self, forKey: .interactive) {
            self = .interactive(interactive)
        } else if let text = try container.decodeIfPresent(String.self, forKey: .text) {
            self = .text(text)
        } else {
            self = .template(
                body: try container.decodeIfPresent([String].self, forKey: .body) ?? [],
                header: try container.decodeIfPresent(String.self, forKey: .header),
                button: try container.decodeIfPresent(String.self, forKey: .button))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .template(let body, let header, let button):
            try container.encode(body, forKey: .body)
            try container.encodeIfPresent(header, forKey: .header)
            try container.encodeIfPresent(button, forKey: .button)
        case .text(let text):
            try container.encode(text, forKey: .text)
        case .interactive(let message):
            try container.encode(message, forKey: .interactive)
        }
    }
}

/// One outbound message as the report and the API show it.
struct StoredMessage: Sendable {
    var id: UUID
    var companyID: CompanyID
    var numberID: UUID
    var campaignID: CampaignID?
    var position: Int?
    var recipient: PhoneNumber
    var name: String
    var kind: String
    var templateID: UUID?
    var trail: String?
    var status: MessageStatus
    var providerMessageID: String?
    var errorCode: String?
    var errorMessage: String?
    var createdAt: Date
    var sentAt: Date?
    var deliveredAt: Date?
    var readAt: Date?
    var failedAt: Date?
}

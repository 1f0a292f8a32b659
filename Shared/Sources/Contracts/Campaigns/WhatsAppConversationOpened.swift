public import Foundation

/// `whatsapp.conversation.opened` (D-18): a business-initiated template opened a billable conversation.
public struct WhatsAppConversationOpened: Event {
    public static let type = EventType.whatsappConversationOpened

    /// Meta's conversation categories; BI-14: service conversations cost nothing.
    public enum Category: String, Codable, Sendable, CaseIterable {
        case marketing, utility, authentication, service
    }

    public var conversationID: String
    public var category: Category
    public var phoneNumberID: String
    public var recipient: PhoneNumber
    public var openedAt: Date
    public var campaignID: CampaignID?

    public init(
        conversationID: String, category: Category, phoneNumberID: String, recipient: PhoneNumber, openedAt: Date,
        campaignID: CampaignID? = nil
    ) {
        self.conversationID = conversationID
        self.category = category
        self.phoneNumberID = phoneNumberID
        self.recipient = recipient
        self.openedAt = openedAt
        self.campaignID = campaignID
    }

    enum CodingKeys: String, CodingKey {
        case category, recipient
        case conversationID = "conversation_id"
        case phoneNumberID = "phone_number_id"
        case openedAt = "opened_at"
        case campaignID = "campaign_id"
    }
}

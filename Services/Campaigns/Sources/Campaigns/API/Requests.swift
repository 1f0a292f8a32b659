import Contracts
import Foundation

struct AccountRequest: Decodable {
    var wabaID: String
    /// CA-47; absent: unchanged.
    var mmLite: Bool?

    enum CodingKeys: String, CodingKey {
        case wabaID = "waba_id"
        case mmLite = "mm_lite"
    }
}

struct NumberRequest: Decodable {
    var phoneNumberID: String?
    var displayNumber: String?
    var displayName: String?
    var tier: Int?
    var quality: WhatsAppNumber.Quality?
    var messagesPerSecond: Int?
    var timeZone: String?
    var businessHours: [WhatsAppNumber.BusinessHours]?

    enum CodingKeys: String, CodingKey {
        case tier, quality
        case phoneNumberID = "phone_number_id"
        case displayNumber = "display_number"
        case displayName = "display_name"
        case messagesPerSecond = "messages_per_second"
        case timeZone = "time_zone"
        case businessHours = "business_hours"
    }
}

struct CampaignRequest: Decodable {
    var name: String
    var templateID: UUID
    var numberID: UUID
    var audienceID: UUID
    var mapping: VariableMapping?

    enum CodingKeys: String, CodingKey {
        case name, mapping
        case templateID = "template_id"
        case numberID = "number_id"
        case audienceID = "audience_id"
    }
}

/// CA-37: `send_now`, or a `send_at` ("Schedule date and time").
struct ScheduleRequest: Decodable {
    var sendNow: Bool?
    var sendAt: Date?

    enum CodingKeys: String, CodingKey {
        case sendNow = "send_now"
        case sendAt = "send_at"
    }
}

struct TestSendRequest: Decodable {
    var to: String
}

/// Issue 5 point 7: a template with its values, or free-form text.
struct MessageRequest: Decodable {
    struct Values: Decodable {
        var body: [String]?
        var header: String?
        var button: String?
    }

    var numberID: UUID
    var to: String
    var templateID: UUID?
    var values: Values?
    var text: String?
    /// CA-54
    var interactive: InteractiveMessage.Draft?
    /// CA-52
    var cannedID: UUID?
    /// CA-46: the Message Trail tag.
    var trail: String?

    enum CodingKeys: String, CodingKey {
        case to, values, text, interactive, trail
        case cannedID = "canned_id"
        case numberID = "number_id"
        case templateID = "template_id"
    }
}

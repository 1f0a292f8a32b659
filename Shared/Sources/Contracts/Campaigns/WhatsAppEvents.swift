public import Foundation

/// `whatsapp.message.status` (CA-43, CA-44): a message moved forward (`sent` → `delivered` → `read`) or failed.
/// Webhooks forwards it to CRMs; a status never goes backwards.
public struct WhatsAppMessageStatus: Event {
    public static let type = EventType.whatsappMessageStatus

    public enum Status: String, Codable, Sendable, CaseIterable {
        case sent, delivered, read, failed
    }

    public var messageID: UUID
    public var providerMessageID: String?
    public var phoneNumberID: String
    public var recipient: PhoneNumber
    public var status: Status
    public var campaignID: CampaignID?
    /// CA-46: the Message Trail tag of an API send.
    public var trail: String?
    public var errorCode: String?
    public var errorMessage: String?
    public var at: Date

    public init(
        messageID: UUID, providerMessageID: String?, phoneNumberID: String, recipient: PhoneNumber, status: Status,
        campaignID: CampaignID?, trail: String?, errorCode: String? = nil, errorMessage: String? = nil, at: Date
    ) {
        self.messageID = messageID
        self.providerMessageID = providerMessageID
        self.phoneNumberID = phoneNumberID
        self.recipient = recipient
        self.status = status
        self.campaignID = campaignID
        self.trail = trail
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case recipient, status, trail, at
        case messageID = "message_id"
        case providerMessageID = "provider_message_id"
        case phoneNumberID = "phone_number_id"
        case campaignID = "campaign_id"
        case errorCode = "error_code"
        case errorMessage = "error_message"
    }
}

/// `whatsapp.inbound`: a customer wrote to one of the company's numbers; the service window is open for 24 h (CA-02).
public struct WhatsAppInbound: Event {
    public static let type = EventType.whatsappInbound

    public var providerMessageID: String
    public var phoneNumberID: String
    public var from: PhoneNumber
    public var kind: String
    /// What the customer wrote, or the title of the button or list row they tapped.
    public var text: String?
    /// CA-54: the id of the reply button or list row they tapped (a template's quick reply: its payload).
    public var replyID: String?
    public var receivedAt: Date
    public var windowExpiresAt: Date

    public init(
        providerMessageID: String, phoneNumberID: String, from: PhoneNumber, kind: String, text: String?, replyID: String? = nil,
        receivedAt: Date, windowExpiresAt: Date
    ) {
        self.providerMessageID = providerMessageID
        self.phoneNumberID = phoneNumberID
        self.from = from
        self.kind = kind
        self.text = text
        self.replyID = replyID
        self.receivedAt = receivedAt
        self.windowExpiresAt = windowExpiresAt
    }

    enum CodingKeys: String, CodingKey {
        case from, kind, text
        case replyID = "reply_id"
        case providerMessageID = "provider_message_id"
        case phoneNumberID = "phone_number_id"
        case receivedAt = "received_at"
        case windowExpiresAt = "window_expires_at"
    }
}

/// `whatsapp.send.requested` (AfterCall's `whatsapp_template` action): send an approved template to one contact.
public struct WhatsAppSendRequested: Event {
    public static let type = EventType.whatsappSendRequested

    public var numberID: UUID
    public var to: PhoneNumber
    public var templateID: UUID
    public var bodyValues: [String]
    public var headerValue: String?
    public var buttonValue: String?
    public var trail: String?
    public var callUID: CallID?

    public init(
        numberID: UUID, to: PhoneNumber, templateID: UUID, bodyValues: [String], headerValue: String? = nil, buttonValue: String? = nil,
        trail: String? = nil, callUID: CallID? = nil
    ) {
        self.numberID = numberID
        self.to = to
        self.templateID = templateID
        self.bodyValues = bodyValues
        self.headerValue = headerValue
        self.buttonValue = buttonValue
        self.trail = trail
        self.callUID = callUID
    }

    enum CodingKeys: String, CodingKey {
        case to, trail
        case numberID = "number_id"
        case templateID = "template_id"
        case bodyValues = "body_values"
        case headerValue = "header_value"
        case buttonValue = "button_value"
        case callUID = "call_uid"
    }
}

/// `campaign.finished` (D-14): a campaign reached `completed`, `partially_sent` or `failed`, with its counts.
public struct CampaignFinished: Event {
    public static let type = EventType.campaignFinished

    public var campaignID: CampaignID
    public var status: String
    public var recipients: Int
    public var sent: Int
    public var failed: Int
    public var failureCode: String?
    public var finishedAt: Date

    public init(campaignID: CampaignID, status: String, recipients: Int, sent: Int, failed: Int, failureCode: String?, finishedAt: Date) {
        self.campaignID = campaignID
        self.status = status
        self.recipients = recipients
        self.sent = sent
        self.failed = failed
        self.failureCode = failureCode
        self.finishedAt = finishedAt
    }

    enum CodingKeys: String, CodingKey {
        case status, recipients, sent, failed
        case campaignID = "campaign_id"
        case failureCode = "failure_code"
        case finishedAt = "finished_at"
    }
}

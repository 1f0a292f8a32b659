import Contracts
import Foundation
import Hummingbird

struct AccountView: ResponseCodable {
    var wabaID: String?
    var whatsappBlocked: Bool
    /// CA-47: marketing templates go through Meta's Marketing Messages Lite API.
    var mmLite: Bool

    init(_ settings: CompanyStore.Settings) {
        wabaID = settings.wabaID
        whatsappBlocked = settings.whatsappBlocked
        mmLite = settings.mmLite
    }

    enum CodingKeys: String, CodingKey {
        case wabaID = "waba_id"
        case whatsappBlocked = "whatsapp_blocked"
        case mmLite = "mm_lite"
    }
}

struct NumberView: ResponseCodable {
    /// D-12: the rolling 24 hours.
    struct Quota: Codable, Sendable {
        var limit: Int?
        var used: Int
        var remaining: Int?
    }

    var id: UUID
    var phoneNumberID: String
    var displayNumber: PhoneNumber
    var displayName: String
    var tier: Int
    var quality: WhatsAppNumber.Quality
    var messagesPerSecond: Int
    var timeZone: String
    var businessHours: [WhatsAppNumber.BusinessHours]
    var quota: Quota
    var createdAt: Date

    init(_ number: WhatsAppNumber, limits: TierLimits) {
        id = number.id
        phoneNumberID = number.phoneNumberID
        displayNumber = number.displayNumber
        displayName = number.displayName
        tier = number.tier
        quality = number.quality
        messagesPerSecond = number.messagesPerSecond
        timeZone = number.timeZone
        businessHours = number.businessHours
        let limit = limits.limit(tier: number.tier)
        quota = Quota(limit: limit, used: number.quotaUsed, remaining: limit.map { max(0, $0 - number.quotaUsed) })
        createdAt = number.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, tier, quality, quota
        case phoneNumberID = "phone_number_id"
        case displayNumber = "display_number"
        case displayName = "display_name"
        case messagesPerSecond = "messages_per_second"
        case timeZone = "time_zone"
        case businessHours = "business_hours"
        case createdAt = "created_at"
    }
}

struct TemplateView: ResponseCodable {
    var id: UUID
    var name: String
    var language: String
    var category: String
    var status: StoredTemplate.Status
    var content: TemplateContent
    /// CA-34: how many values a send needs; the variable-mapping step is skipped when all are zero.
    var variables: Variables
    var providerTemplateID: String?
    var reason: String?
    var submittedAt: Date?
    var decidedAt: Date?
    var createdAt: Date
    var updatedAt: Date

    struct Variables: Codable, Sendable {
        var body: Int
        var header: Int
        var button: Int
    }

    init(_ template: StoredTemplate) {
        id = template.id
        name = template.content.name
        language = template.content.language
        category = template.content.category
        status = template.status
        content = template.content
        variables = Variables(
            body: template.content.bodyVariableCount, header: template.content.headerVariableCount, button: template.content.urlButtonVariableCount)
        providerTemplateID = template.providerTemplateID
        reason = template.reason
        submittedAt = template.submittedAt
        decidedAt = template.decidedAt
        createdAt = template.createdAt
        updatedAt = template.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, language, category, status, content, variables, reason
        case providerTemplateID = "provider_template_id"
        case submittedAt = "submitted_at"
        case decidedAt = "decided_at"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

struct ValidationView: ResponseCodable {
    var valid: Bool
    var violations: [TemplateViolation]
}

struct AudienceView: ResponseCodable {
    var id: UUID
    var filename: String
    var columns: [String]
    var totalRows: Int
    var validRows: Int
    var skippedRows: Int
    /// D-13: counts per reason code.
    var skippedByReason: [String: Int]
    var skipped: [SkippedRow]?
    var createdAt: Date

    init(_ audience: StoredAudience, withRows: Bool) {
        id = audience.id
        filename = audience.filename
        columns = audience.columns
        totalRows = audience.totalRows
        validRows = audience.validRows
        skippedRows = audience.skipped.count
        skippedByReason = Dictionary(grouping: audience.skipped, by: { $0.reason.rawValue }).mapValues(\.count)
        skipped = withRows ? audience.skipped : nil
        createdAt = audience.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, filename, columns, skipped
        case totalRows = "total_rows"
        case validRows = "valid_rows"
        case skippedRows = "skipped_rows"
        case skippedByReason = "skipped_by_reason"
        case createdAt = "created_at"
    }
}

struct CampaignView: ResponseCodable {
    /// CA-43: the listing's metrics.
    struct Metrics: Codable, Sendable {
        var recipients: Int
        var queued: Int
        var sent: Int
        var delivered: Int
        var read: Int
        var failed: Int
        var sentPercent: Double
        var deliveredPercent: Double
        var readPercent: Double
        var failedPercent: Double

        init(_ counts: CampaignCounts) {
            recipients = counts.recipients
            queued = counts.queued
            sent = counts.sent + counts.delivered + counts.read
            delivered = counts.delivered + counts.read
            read = counts.read
            failed = counts.failed
            sentPercent = counts.sentPercent
            deliveredPercent = counts.deliveredPercent
            readPercent = counts.readPercent
            failedPercent = counts.failedPercent
        }

        enum CodingKeys: String, CodingKey {
            case recipients, queued, sent, delivered, read, failed
            case sentPercent = "sent_percent"
            case deliveredPercent = "delivered_percent"
            case readPercent = "read_percent"
            case failedPercent = "failed_percent"
        }
    }

    var id: CampaignID
    var name: String
    var templateID: UUID
    var numberID: UUID
    var audienceID: UUID
    var mapping: VariableMapping
    var status: CampaignStatus
    var sendAt: Date?
    var recipients: Int
    var quotaGranted: Int?
    var failureCode: String?
    var failureMessage: String?
    var metrics: Metrics
    var createdBy: UserID
    var createdAt: Date
    var startedAt: Date?
    var finishedAt: Date?

    init(_ campaign: Campaign, counts: CampaignCounts?) {
        id = campaign.id
        name = campaign.name
        templateID = campaign.templateID
        numberID = campaign.numberID
        audienceID = campaign.audienceID
        mapping = campaign.mapping
        status = campaign.status
        sendAt = campaign.sendAt
        recipients = campaign.recipients
        quotaGranted = campaign.quotaGranted
        failureCode = campaign.failureCode
        failureMessage = campaign.failureMessage
        var counts = counts ?? CampaignCounts()
        if counts.recipients == 0 { counts.recipients = campaign.recipients }
        metrics = Metrics(counts)
        createdBy = campaign.createdBy
        createdAt = campaign.createdAt
        startedAt = campaign.startedAt
        finishedAt = campaign.finishedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, mapping, status, recipients, metrics
        case templateID = "template_id"
        case numberID = "number_id"
        case audienceID = "audience_id"
        case sendAt = "send_at"
        case quotaGranted = "quota_granted"
        case failureCode = "failure_code"
        case failureMessage = "failure_message"
        case createdBy = "created_by"
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}

struct MessageView: ResponseCodable {
    var id: UUID
    var numberID: UUID
    var campaignID: CampaignID?
    var recipient: PhoneNumber
    var kind: String
    var templateID: UUID?
    var trail: String?
    var status: MessageStatus
    var providerMessageID: String?
    var errorCode: String?
    var errorMessage: String?
    /// CA-48: the error code read as one of the reasons the panel groups failures by.
    var failureReason: DeliveryFailureReason?
    var createdAt: Date
    var sentAt: Date?
    var deliveredAt: Date?
    var readAt: Date?
    var failedAt: Date?

    init(_ message: StoredMessage) {
        id = message.id
        numberID = message.numberID
        campaignID = message.campaignID
        recipient = message.recipient
        kind = message.kind
        templateID = message.templateID
        trail = message.trail
        status = message.status
        providerMessageID = message.providerMessageID
        errorCode = message.errorCode
        errorMessage = message.errorMessage
        failureReason = message.errorCode.map(DeliveryFailureReason.init(code:))
        createdAt = message.createdAt
        sentAt = message.sentAt
        deliveredAt = message.deliveredAt
        readAt = message.readAt
        failedAt = message.failedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, recipient, kind, trail, status
        case numberID = "number_id"
        case campaignID = "campaign_id"
        case templateID = "template_id"
        case providerMessageID = "provider_message_id"
        case errorCode = "error_code"
        case errorMessage = "error_message"
        case failureReason = "failure_reason"
        case createdAt = "created_at"
        case sentAt = "sent_at"
        case deliveredAt = "delivered_at"
        case readAt = "read_at"
        case failedAt = "failed_at"
    }
}

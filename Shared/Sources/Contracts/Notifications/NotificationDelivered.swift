public import Foundation

/// `notification.delivered`: a provider accepted and delivered a message. Billing charges SMS by segment (D-21).
public struct NotificationDelivered: Event {
    public static let type = EventType.notificationDelivered

    public enum Channel: String, Codable, Sendable, CaseIterable {
        case sms, email, push, slack
    }

    /// SMS routes are priced differently: promotional messages only in the promo band (D-21), transactional any time.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case transactional, promotional
    }

    /// The notification's id in the Notifications service; the ledger source of its charge.
    public var notificationID: UUID
    public var channel: Channel
    public var kind: Kind
    public var recipient: String
    /// The text as sent; for SMS the segment count (and so the price) follows from it.
    public var text: String
    public var deliveredAt: Date

    public init(notificationID: UUID, channel: Channel, kind: Kind, recipient: String, text: String, deliveredAt: Date) {
        self.notificationID = notificationID
        self.channel = channel
        self.kind = kind
        self.recipient = recipient
        self.text = text
        self.deliveredAt = deliveredAt
    }

    enum CodingKeys: String, CodingKey {
        case channel, kind, recipient, text
        case notificationID = "notification_id"
        case deliveredAt = "delivered_at"
    }
}

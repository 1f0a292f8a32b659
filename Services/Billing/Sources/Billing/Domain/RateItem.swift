public import Contracts

/// What a rate card prices: one key per billable thing, e.g. `call.inbound.toll_free`, `sms.promotional`,
/// `whatsapp.marketing`, `did.rental`. The key is what the `billing.rates` table and the CSV import use.
public struct RateItem: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// D-20, BI-16: per minute, by direction and the kind of number used.
    public static func call(_ direction: CallCompleted.Direction, _ numberType: CallCompleted.NumberType) -> RateItem {
        RateItem(rawValue: "call.\(direction.rawValue).\(numberType.rawValue)")
    }

    /// D-21: per SMS segment, by route; other channels per message.
    public static func notification(_ channel: NotificationDelivered.Channel, _ kind: NotificationDelivered.Kind) -> RateItem {
        channel == .sms ? RateItem(rawValue: "sms.\(kind.rawValue)") : RateItem(rawValue: channel.rawValue)
    }

    /// BI-14: per conversation, by category.
    public static func whatsapp(_ category: WhatsAppConversationOpened.Category) -> RateItem {
        RateItem(rawValue: "whatsapp.\(category.rawValue)")
    }

    /// BI-19: the one-time setup fee and the monthly rental of a number.
    public static let didSetup = RateItem(rawValue: "did.setup")
    public static let didRental = RateItem(rawValue: "did.rental")

    /// Every key a complete rate card has; an import that leaves one out is refused.
    public static let all: [RateItem] =
        CallCompleted.Direction.allCases.flatMap { direction in CallCompleted.NumberType.allCases.map { call(direction, $0) } }
        + [NotificationDelivered.Kind.transactional, .promotional].map { notification(.sms, $0) }
        + [NotificationDelivered.Channel.email, .push, .slack].map { notification($0, .transactional) }
        + WhatsAppConversationOpened.Category.allCases.map { whatsapp($0) }
        + [didSetup, didRental]
}

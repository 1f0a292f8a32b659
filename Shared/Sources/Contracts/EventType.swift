/// An event's type, which is also its AMQP routing key on the events exchange (`<noun>.<past-tense-verb>`).
public struct EventType: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension EventType {
    // CallRouter
    public static let callStarted: EventType = "call.started"
    public static let callAnswered: EventType = "call.answered"
    public static let callTransferred: EventType = "call.transferred"
    public static let callCompleted: EventType = "call.completed"
    public static let callDisposition: EventType = "call.disposition"
    public static let callLost: EventType = "call.lost"
    public static let companySettingsChanged: EventType = "company.settings.changed"
    // Campaigns
    /// Campaigns' own send jobs: a routing key of three words, so partners' `campaign.*` bindings never see them.
    public static let campaignDispatch: EventType = "campaign.dispatch.requested"
    public static let campaignFinished: EventType = "campaign.finished"
    public static let whatsappSendRequested: EventType = "whatsapp.send.requested"
    public static let whatsappMessageStatus: EventType = "whatsapp.message.status"
    public static let whatsappInbound: EventType = "whatsapp.inbound"
    public static let whatsappConversationOpened: EventType = "whatsapp.conversation.opened"
    // Billing
    public static let billingBalanceLow: EventType = "billing.balance.low"
    public static let billingBalanceMinimum: EventType = "billing.balance.minimum"
    public static let billingAccountSuspended: EventType = "billing.account.suspended"
    public static let billingAccountResumed: EventType = "billing.account.resumed"
    public static let billingInvoiceIssued: EventType = "billing.invoice.issued"
    public static let billingNumberActivated: EventType = "billing.did.activated"
    public static let billingNumberReleased: EventType = "billing.did.released"
    public static let billingPlanExpiring: EventType = "billing.plan.expiring"
    // AfterCall / Notifications / Webhooks
    public static let notificationRequested: EventType = "notification.requested"
    public static let notificationDelivered: EventType = "notification.delivered"
    public static let notificationFailed: EventType = "notification.failed"
    public static let webhookDeliveryFailed: EventType = "webhook.delivery.failed"
    public static let slaMonthClosed: EventType = "sla.month.closed"
    public static let statusProbe: EventType = "status.probe"

    /// Every type above. The events exchange is a direct exchange, so a binding pattern such as `call.*` is bound as
    /// the types it matches in this list (`RoutingPattern.routingKeys`): a type missing here reaches no wildcard
    /// subscriber, and a type added here reaches one only once it runs a build that lists it, so a release adding a
    /// type deploys its consumers first. `EventTypeListTests` checks this list against every type Contracts declares.
    public static let all: [EventType] = [
        .callStarted, .callAnswered, .callTransferred, .callCompleted, .callDisposition, .callLost, .companySettingsChanged, .campaignDispatch,
        .campaignFinished, .whatsappSendRequested, .whatsappMessageStatus, .whatsappInbound,
        .whatsappConversationOpened, .billingBalanceLow, .billingBalanceMinimum, .billingAccountSuspended,
        .billingAccountResumed, .billingInvoiceIssued, .billingNumberActivated, .billingNumberReleased,
        .billingPlanExpiring, .notificationRequested, .notificationDelivered, .notificationFailed, .webhookDeliveryFailed, .slaMonthClosed,
        .statusProbe
    ]
}

/// A binding pattern in AMQP topic syntax (`call.*`, `billing.#`): how a service says which events it wants. The events
/// exchange is direct (a topic exchange cost RabbitMQ 3.10 twice the CPU per publish, BENCHMARKS.md run 16), so a
/// pattern is bound as the known event types it matches.
public struct RoutingPattern: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    public init(stringLiteral value: String) { self.rawValue = value }

    public init(_ type: EventType) { self.rawValue = type.rawValue }

    /// The routing keys to bind for this pattern: the pattern itself when it has no wildcard (an exact key, which may be
    /// one no service publishes, as tests and benchmarks use), else each type of `known` it matches.
    public func routingKeys(among known: [EventType] = EventType.all) -> [String] {
        let words = rawValue.split(separator: ".", omittingEmptySubsequences: false)
        guard words.contains(where: { $0 == "*" || $0 == "#" }) else { return [rawValue] }
        return known.filter(matches).map(\.rawValue)
    }

    /// AMQP topic matching: `*` is exactly one word, `#` zero or more.
    public func matches(_ type: EventType) -> Bool {
        Self.match(ArraySlice(rawValue.split(separator: ".", omittingEmptySubsequences: false)),
                   ArraySlice(type.rawValue.split(separator: ".", omittingEmptySubsequences: false)))
    }

    private static func match(_ pattern: ArraySlice<Substring>, _ words: ArraySlice<Substring>) -> Bool {
        guard let head = pattern.first else { return words.isEmpty }
        if head == "#" {
            let rest = pattern.dropFirst()
            for skip in 0...words.count where match(rest, words.dropFirst(skip)) { return true }
            return false
        }
        guard let word = words.first, head == "*" || head == word else { return false }
        return match(pattern.dropFirst(), words.dropFirst())
    }
}

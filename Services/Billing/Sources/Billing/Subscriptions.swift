public import Messaging
import ServiceKit

/// Every queue Billing consumes and the routing keys bound to it, in one place.
public enum Subscriptions {
    static let identity = BillingService.identity

    public static let callCompleted = identity.queue("call-completed")
    public static let notificationDelivered = identity.queue("notification-delivered")
    public static let conversationOpened = identity.queue("conversation-opened")
    public static let slaMonthClosed = identity.queue("sla-month-closed")
    public static let companySettingsChanged = identity.queue("company-settings-changed")

    public static let queues: [QueueSpec] = [
        QueueSpec(name: callCompleted, bindings: ["call.completed"]),
        QueueSpec(name: notificationDelivered, bindings: ["notification.delivered"]),
        QueueSpec(name: conversationOpened, bindings: ["whatsapp.conversation.opened"]),
        QueueSpec(name: slaMonthClosed, bindings: ["sla.month.closed"]),
        QueueSpec(name: companySettingsChanged, bindings: ["company.settings.changed"]),
    ]
}

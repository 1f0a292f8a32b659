public import Messaging
import ServiceKit

/// Every queue Billing consumes and the routing keys bound to it, in one place.
public enum Subscriptions {
    static let identity = BillingService.identity

    public static let queues: [QueueSpec] = [
        QueueSpec(name: identity.queue("call-completed"), bindings: ["call.completed"]),
        QueueSpec(name: identity.queue("notification-delivered"), bindings: ["notification.delivered"]),
        QueueSpec(name: identity.queue("conversation-opened"), bindings: ["whatsapp.conversation.opened"]),
        QueueSpec(name: identity.queue("sla-month-closed"), bindings: ["sla.month.closed"]),
    ]
}

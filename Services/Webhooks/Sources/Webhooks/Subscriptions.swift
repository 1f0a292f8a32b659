public import Messaging
import ServiceKit

/// Every queue Webhooks consumes and the routing keys bound to it, in one place.
public enum Subscriptions {
    static let identity = WebhooksService.identity

    public static let queues: [QueueSpec] = [
        QueueSpec(name: identity.queue("events"), bindings: ["call.*", "whatsapp.message.*", "campaign.*"]),
    ]
}

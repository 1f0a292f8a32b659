public import Messaging
import ServiceKit

/// Every queue Webhooks consumes and the routing keys bound to it, in one place.
public enum Subscriptions {
    static let identity = WebhooksService.identity

    /// No consumer reads these queues yet: declared unbound, their future bindings in `removedBindings` (why there).
    public static let queues: [QueueSpec] = [
        QueueSpec(name: identity.queue("events"), bindings: [], removedBindings: ["call.*", "whatsapp.message.*", "campaign.*"]),
    ]
}

public import Messaging
import ServiceKit

/// Every queue Notifications consumes and the routing keys bound to it, in one place.
public enum Subscriptions {
    static let identity = NotificationsService.identity

    public static let queues: [QueueSpec] = [
        QueueSpec(name: identity.queue("requested"), bindings: ["notification.requested"]),
        QueueSpec(name: identity.queue("billing"), bindings: ["billing.#"]),
        QueueSpec(name: identity.queue("status-probe"), bindings: ["status.probe"]),
    ]
}

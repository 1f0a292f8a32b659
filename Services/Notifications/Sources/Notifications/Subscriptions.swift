public import Messaging
import ServiceKit

/// Every queue Notifications consumes and the routing keys bound to it, in one place.
public enum Subscriptions {
    static let identity = NotificationsService.identity

    /// No consumer reads these queues yet: declared unbound, their future bindings in `removedBindings` (why there).
    public static let queues: [QueueSpec] = [
        QueueSpec(name: identity.queue("requested"), bindings: [], removedBindings: ["notification.requested"]),
        QueueSpec(name: identity.queue("billing"), bindings: [], removedBindings: ["billing.#"]),
        QueueSpec(name: identity.queue("status-probe"), bindings: [], removedBindings: ["status.probe"]),
    ]
}

public import Messaging
import ServiceKit

/// Every queue CallRouter consumes and the routing keys bound to it, in one place.
public enum Subscriptions {
    static let identity = CallRouterService.identity

    public static let queues: [QueueSpec] = [
        QueueSpec(name: identity.queue("billing-account"), bindings: ["billing.account.*"]),
    ]
}

public import Messaging
import ServiceKit

/// Every queue CallRouter consumes and the routing keys bound to it, in one place.
public enum Subscriptions {
    static let identity = CallRouterService.identity
    static let billingAccount = identity.queue("billing-account")
    static let billingNumbers = identity.queue("billing-numbers")

    public static let queues: [QueueSpec] = [
        QueueSpec(name: billingAccount, bindings: ["billing.account.*"]),
        QueueSpec(name: billingNumbers, bindings: ["billing.did.*"]),
    ]
}

public import Messaging
import ServiceKit

/// Every queue AfterCall consumes and the routing keys bound to it, in one place.
public enum Subscriptions {
    static let identity = AfterCallService.identity

    public static let queues: [QueueSpec] = [
        QueueSpec(name: identity.queue("call-completed"), bindings: ["call.completed"]),
        QueueSpec(name: identity.queue("call-disposition"), bindings: ["call.disposition"]),
    ]
}

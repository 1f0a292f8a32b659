public import Messaging
import ServiceKit

/// Every queue AfterCall consumes and the routing keys bound to it, in one place.
public enum Subscriptions {
    static let identity = AfterCallService.identity

    /// No consumer reads these queues yet: declared unbound, their future bindings in `removedBindings` (why there).
    public static let queues: [QueueSpec] = [
        QueueSpec(name: identity.queue("call-completed"), bindings: [], removedBindings: ["call.completed"]),
        QueueSpec(name: identity.queue("call-disposition"), bindings: [], removedBindings: ["call.disposition"]),
    ]
}

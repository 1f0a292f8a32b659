public import Messaging
import ServiceKit

/// Every queue Notifications consumes and the routing keys bound to it, in one place.
public enum Subscriptions {
    static let identity = NotificationsService.identity

    /// No consumer reads these queues yet, so they are declared unbound: a bound queue nobody reads grows without end
    /// (970,000 events in the test broker's `webhooks.events` after a day of runs) until the broker's memory alarm
    /// stops every publisher. The bindings they will take with their consumers are `removedBindings` meanwhile, which
    /// also unbinds them on a broker that ran an earlier release. Events published before the consumers ship are not
    /// kept for them: nothing would act on week-old call events.
    public static let queues: [QueueSpec] = [
        QueueSpec(name: identity.queue("requested"), bindings: [], removedBindings: ["notification.requested"]),
        QueueSpec(name: identity.queue("billing"), bindings: [], removedBindings: ["billing.#"]),
        QueueSpec(name: identity.queue("status-probe"), bindings: [], removedBindings: ["status.probe"]),
    ]
}

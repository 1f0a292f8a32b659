public import Messaging
import ServiceKit

/// Every queue Campaigns consumes and the routing keys bound to it, in one place.
public enum Subscriptions {
    static let identity = CampaignsService.identity

    public static let queues: [QueueSpec] = [
        QueueSpec(name: identity.queue("dispatch"), bindings: ["campaign.dispatch"]),
        QueueSpec(name: identity.queue("whatsapp-send"), bindings: ["whatsapp.send.requested"]),
        QueueSpec(name: identity.queue("billing"), bindings: ["billing.balance.*", "billing.account.*"]),
    ]
}

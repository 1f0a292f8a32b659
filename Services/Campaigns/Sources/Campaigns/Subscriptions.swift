public import Messaging
import ServiceKit

/// Every queue Campaigns consumes and the routing keys bound to it, in one place.
public enum Subscriptions {
    static let identity = CampaignsService.identity
    static let dispatch = identity.queue("dispatch")
    static let whatsappSend = identity.queue("whatsapp-send")
    static let billing = identity.queue("billing")
    static let companySettings = identity.queue("company-settings-changed")

    public static let queues: [QueueSpec] = [
        // Its own work queue: send jobs (CampaignDispatch), published through the outbox.
        QueueSpec(name: dispatch, bindings: ["campaign.dispatch.requested"]),
        QueueSpec(name: whatsappSend, bindings: ["whatsapp.send.requested"]),
        QueueSpec(name: billing, bindings: ["billing.balance.*", "billing.account.*"]),
        QueueSpec(name: companySettings, bindings: ["company.settings.changed"]),
    ]
}

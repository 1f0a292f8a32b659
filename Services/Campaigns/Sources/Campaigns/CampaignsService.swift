public import ServiceKit
import Foundation
import Storage

/// Campaigns: WhatsApp templates, audiences and campaigns under tier quotas.
public enum CampaignsService {
    public static let identity = ServiceIdentity(name: "campaigns", schema: SchemaName("campaigns")!, defaultPort: 8082)

    public static func definition() -> ServiceDefinition {
        ServiceDefinition(
            identity: identity,
            migrationsDirectory: Bundle.module.url(forResource: "Migrations", withExtension: nil),
            queues: Subscriptions.queues)
    }
}

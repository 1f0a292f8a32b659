public import ServiceKit
import Foundation
import Storage

/// Webhooks: signed, retried webhooks to partners' CRMs.
public enum WebhooksService {
    public static let identity = ServiceIdentity(name: "webhooks", schema: SchemaName("webhooks")!, defaultPort: 8085)

    public static func definition() -> ServiceDefinition {
        ServiceDefinition(
            identity: identity,
            migrationsDirectory: Bundle.module.url(forResource: "Migrations", withExtension: nil),
            queues: Subscriptions.queues)
    }
}

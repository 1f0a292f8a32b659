public import ServiceKit
import Foundation
import Storage

/// AfterCall: after-call SMS, email, WhatsApp and CRM automations.
public enum AfterCallService {
    public static let identity = ServiceIdentity(name: "after-call", schema: SchemaName("aftercall")!, defaultPort: 8084)

    public static func definition() -> ServiceDefinition {
        ServiceDefinition(
            identity: identity,
            migrationsDirectory: Bundle.module.url(forResource: "Migrations", withExtension: nil),
            queues: Subscriptions.queues)
    }
}

public import ServiceKit
import Foundation
import Storage

/// Billing: the prepaid wallet ledger, rating, suspension, reservations and invoices.
public enum BillingService {
    public static let identity = ServiceIdentity(name: "billing", schema: SchemaName("billing")!, defaultPort: 8083)

    public static func definition() -> ServiceDefinition {
        ServiceDefinition(
            identity: identity,
            migrationsDirectory: Bundle.module.url(forResource: "Migrations", withExtension: nil),
            queues: Subscriptions.queues)
    }
}

public import ServiceKit
import Foundation
import Storage

/// Notifications: SMS, email, push and Slack notifications, component status and SLA.
public enum NotificationsService {
    public static let identity = ServiceIdentity(name: "notifications", schema: SchemaName("notifications")!, defaultPort: 8086)

    public static func definition() -> ServiceDefinition {
        ServiceDefinition(
            identity: identity,
            migrationsDirectory: Bundle.module.url(forResource: "Migrations", withExtension: nil),
            queues: Subscriptions.queues)
    }
}

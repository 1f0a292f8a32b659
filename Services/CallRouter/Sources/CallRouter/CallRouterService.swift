public import ServiceKit
import Foundation
import Storage

/// CallRouter: the telephony brain: IVR call flows, agent routing, lines and call logs.
public enum CallRouterService {
    public static let identity = ServiceIdentity(name: "call-router", schema: SchemaName("callrouter")!, defaultPort: 8081)

    public static func definition() -> ServiceDefinition {
        ServiceDefinition(
            identity: identity,
            migrationsDirectory: Bundle.module.url(forResource: "Migrations", withExtension: nil),
            queues: Subscriptions.queues)
    }
}

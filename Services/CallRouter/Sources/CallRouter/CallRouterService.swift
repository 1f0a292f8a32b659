public import ServiceKit
import Foundation
import Storage

/// CallRouter: the telephony brain: IVR call flows, agent routing, lines and call logs.
public enum CallRouterService {
    public static let identity = ServiceIdentity(name: "call-router", schema: SchemaName("callrouter")!, defaultPort: 8081)

    /// The carrier switch authenticates its call-control requests with this shared token (`X-Switch-Token`).
    public static let switchTokenVariable = "MYOP_SWITCH_TOKEN"
    public static let devSwitchToken = "myop-dev-switch-token"
    /// The operator's shared numbers (CR-68), comma-separated E.164: the only numbers a company may register without
    /// renting them from Billing. Empty by default.
    public static let sharedNumbersVariable = "MYOP_CALLROUTER_SHARED_NUMBERS"

    public static func definition() -> ServiceDefinition {
        ServiceDefinition(
            identity: identity,
            migrationsDirectory: Bundle.module.url(forResource: "Migrations", withExtension: nil),
            queues: Subscriptions.queues,
            // The decision's statements (`PreparedText`) are planned once per connection. Left to choose, PostgreSQL
            // planned each write again on every execution (pg_stat_statements: 0.6 ms of planning for 0.5-1 ms of
            // execution), because a plan for the values at hand, with the empty parts folded away, always looks
            // cheaper. The service's other statements look rows up by company and id, or live calls by start time,
            // which one plan serves whatever the values; the call log's optional filters ask for plans of their own
            // (`CallStore.list`).
            databaseSettings: ["plan_cache_mode": "force_generic_plan"]
        ) { context in
            let token = try context.configuration.secret(switchTokenVariable, devDefault: devSwitchToken)
            let sharedPool = try SharedNumberPool(context.configuration.values[sharedNumbersVariable] ?? "")
            // Created after every setting is read: a client dropped without its shutdown traps.
            let http = InputWebhookClient.client()
            let control = CallControl(
                database: context.database, outbox: context.outbox, flows: FlowCache(),
                webhooks: InputWebhookClient(policy: OutboundURLPolicy(configuration: context.configuration), http: http), calls: LiveCalls())
            let api = CallRouterAPI(database: context.database, outbox: context.outbox, control: control, sharedPool: sharedPool)
            let switchAPI = SwitchAPI(control: control, token: token)
            let sweeper = CallSweeper(
                database: context.database, control: control, interval: .seconds(30), dialingLimit: .seconds(180), liveLimit: .seconds(6 * 3_600),
                logger: context.logger)
            return ServiceComponents(
                consumers: [BillingStatus().consumer, RentedNumbers().consumer],
                authenticatedRoutes: { api.register($0) },
                publicRoutes: { router in
                    switchAPI.register(router)
                    DocumentRoute.serve(router, path: "openapi.json", file: Bundle.module.url(forResource: "openapi", withExtension: "json"))
                },
                services: [HTTPClientService(client: http), sweeper])
        }
    }
}

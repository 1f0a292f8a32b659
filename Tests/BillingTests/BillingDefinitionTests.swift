import Billing
import Messaging
import ServiceKit
import Storage
import Testing

@Suite("Billing service definition")
struct BillingDefinitionTests {
    @Test("its migrations ship in the bundle and begin with the billing outbox and inbox")
    func migrations() throws {
        let migrations = try BillingService.definition().migrations()
        let first = try #require(migrations.first)
        #expect(first.version == 1)
        #expect(first.name == "create_outbox_and_inbox")
        #expect(first.sql.contains("CREATE TABLE billing.outbox"))
        #expect(first.sql.contains("CREATE TABLE billing.inbox"))
        #expect(migrations.map(\.version) == Array(1...migrations.count))
    }

    @Test("it declares the queues and bindings of ARCHITECTURE.md, and the company settings D-29 needs")
    func queues() {
        let declared = Dictionary(uniqueKeysWithValues: Subscriptions.queues.map { ($0.name, $0.bindings) })
        #expect(declared == [
            "billing.call-completed": ["call.completed"],
            "billing.notification-delivered": ["notification.delivered"],
            "billing.conversation-opened": ["whatsapp.conversation.opened"],
            "billing.sla-month-closed": ["sla.month.closed"],
            "billing.company-settings-changed": ["company.settings.changed"],
        ])
        #expect(Subscriptions.queues.allSatisfy { $0.deliveryLimit == 10 && $0.deadLetterQueue == $0.name + ".dead" })
        #expect(Subscriptions.queues.flatMap(\.unboundPatterns).isEmpty)  // each pattern binds a known event type
        #expect(BillingService.identity.schema.rawValue == "billing")
    }
}

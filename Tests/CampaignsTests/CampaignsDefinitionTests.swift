import Campaigns
import Messaging
import ServiceKit
import Storage
import Testing

@Suite("Campaigns service definition")
struct CampaignsDefinitionTests {
    @Test("its migrations ship in the bundle and begin with the campaigns outbox and inbox")
    func migrations() throws {
        let migrations = try CampaignsService.definition().migrations()
        let first = try #require(migrations.first)
        #expect(first.version == 1)
        #expect(first.name == "create_outbox_and_inbox")
        #expect(first.sql.contains("CREATE TABLE campaigns.outbox"))
        #expect(first.sql.contains("CREATE TABLE campaigns.inbox"))
        #expect(migrations.map(\.version) == Array(1...migrations.count))
    }

    @Test("it declares the queues and bindings of ARCHITECTURE.md, and the company settings D-29 needs")
    func queues() {
        let declared = Dictionary(uniqueKeysWithValues: Subscriptions.queues.map { ($0.name, $0.bindings) })
        #expect(declared == [
            "campaigns.dispatch": ["campaign.dispatch.requested"],
            "campaigns.whatsapp-send": ["whatsapp.send.requested"],
            "campaigns.billing": ["billing.balance.*", "billing.account.*"],
            "campaigns.company-settings-changed": ["company.settings.changed"],
        ])
        #expect(Subscriptions.queues.allSatisfy { $0.deliveryLimit == 10 && $0.deadLetterQueue == $0.name + ".dead" })
        #expect(Subscriptions.queues.flatMap(\.unboundPatterns).isEmpty)  // each pattern binds a known event type
        #expect(CampaignsService.identity.schema.rawValue == "campaigns")
    }
}

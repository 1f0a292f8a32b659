import AfterCall
import Contracts
import Messaging
import ServiceKit
import Storage
import Testing

@Suite("AfterCall service definition")
struct AfterCallDefinitionTests {
    @Test("its migrations ship in the bundle and begin with the aftercall outbox and inbox")
    func migrations() throws {
        let migrations = try AfterCallService.definition().migrations()
        let first = try #require(migrations.first)
        #expect(first.version == 1)
        #expect(first.name == "create_outbox_and_inbox")
        #expect(first.sql.contains("CREATE TABLE aftercall.outbox"))
        #expect(first.sql.contains("CREATE TABLE aftercall.inbox"))
        #expect(migrations.map(\.version) == Array(1...migrations.count))
    }

    @Test("it declares the queues of ARCHITECTURE.md, unbound until it consumes them (their bindings are removed from a broker that has them)")
    func queues() {
        #expect(Subscriptions.queues.allSatisfy { $0.bindings.isEmpty && $0.routingKeys.isEmpty })
        let declared = Dictionary(uniqueKeysWithValues: Subscriptions.queues.map { ($0.name, $0.removedBindings) })
        #expect(declared == [
            "aftercall.call-completed": ["call.completed"],
            "aftercall.call-disposition": ["call.disposition"],
        ])
        #expect(Subscriptions.queues.allSatisfy { $0.deliveryLimit == 10 && $0.deadLetterQueue == $0.name + ".dead" })
        // Each pattern names known event types (a typo would unbind nothing).
        #expect(Subscriptions.queues.flatMap(\.removedBindings).allSatisfy { !RoutingPattern(rawValue: $0).routingKeys().isEmpty })
        #expect(AfterCallService.identity.schema.rawValue == "aftercall")
    }
}

import Contracts
import Foundation
import Testing

@Suite("Event types and binding patterns")
struct EventTypeListTests {
    /// `EventType.all` decides what a wildcard binding is bound to: a type declared but left out of it would reach no
    /// `call.*` or `billing.#` subscriber. Read from the declarations themselves, so a new type cannot be forgotten.
    @Test("EventType.all lists every declared event type, each once")
    func everyDeclaredTypeIsListed() throws {
        let source = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Shared/Sources/Contracts/EventType.swift")
        let text = try String(contentsOf: source, encoding: .utf8)
        let declared = try Regex(#"public static let \w+: EventType = "([^"]+)""#)
        let values = text.matches(of: declared).compactMap { $0.output[1].substring.map(String.init) }
        #expect(values.count == 25)
        #expect(Set(values) == Set(EventType.all.map(\.rawValue)))
        #expect(Set(EventType.all).count == EventType.all.count)
    }

    @Test("a pattern is bound as the known types it matches; an exact key as itself")
    func routingKeys() {
        #expect(RoutingPattern("call.*").routingKeys() == [
            "call.started", "call.answered", "call.transferred", "call.completed", "call.disposition", "call.lost",
        ])
        // Campaigns' send jobs have three words, so partners' `campaign.*` never sees them.
        #expect(RoutingPattern("campaign.*").routingKeys() == ["campaign.finished"])
        #expect(RoutingPattern("billing.account.*").routingKeys() == ["billing.account.suspended", "billing.account.resumed"])
        #expect(RoutingPattern("billing.#").routingKeys().count == 7)
        #expect(RoutingPattern("whatsapp.message.*").routingKeys() == ["whatsapp.message.status"])
        #expect(RoutingPattern("it.only-in-a-test").routingKeys() == ["it.only-in-a-test"])
        #expect(RoutingPattern("nobody.*").routingKeys().isEmpty)
        #expect(RoutingPattern("#").routingKeys().count == EventType.all.count)
    }
}

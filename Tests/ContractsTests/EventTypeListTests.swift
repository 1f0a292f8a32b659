import Contracts
import Foundation
import Testing

@Suite("Event types and binding patterns")
struct EventTypeListTests {
    /// `EventType.all` decides what a wildcard binding is bound to: a type declared but left out of it would reach no
    /// `call.*` or `billing.#` subscriber. Read from every Contracts source, where the types services publish live.
    @Test("EventType.all lists every event type Contracts declares, each once")
    func everyDeclaredTypeIsListed() throws {
        let contracts = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Shared/Sources/Contracts")
        let files = try #require(FileManager.default.enumerator(at: contracts, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(files.count > 10)
        // A literal typed as an event type (`… EventType = "call.started"`, `EventType(rawValue: "…")`).
        let literal = try Regex(#"EventType(?:\(rawValue:\s*|\s*=\s*)"([^"]+)""#)
        var declared: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            declared += text.matches(of: literal).compactMap { $0.output[1].substring.map(String.init) }
        }
        #expect(declared.count == EventType.all.count)
        #expect(Set(declared) == Set(EventType.all.map(\.rawValue)))
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
        #expect(RoutingPattern("billing.#").routingKeys().count == 8)
        #expect(RoutingPattern("whatsapp.message.*").routingKeys() == ["whatsapp.message.status"])
        #expect(RoutingPattern("it.only-in-a-test").routingKeys() == ["it.only-in-a-test"])
        #expect(RoutingPattern("nobody.*").routingKeys().isEmpty)
        #expect(RoutingPattern("#").routingKeys().count == EventType.all.count)
    }
}

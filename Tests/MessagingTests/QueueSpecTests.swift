import Messaging
import Testing

@Suite("Queue bindings on the direct events exchange")
struct QueueSpecTests {
    @Test("bindings expand to routing keys, each once, in the order written")
    func routingKeys() {
        let queue = QueueSpec(name: "q", bindings: ["billing.account.*", "billing.#", "it.exact"])
        #expect(queue.routingKeys == [
            "billing.account.suspended", "billing.account.resumed", "billing.balance.low", "billing.balance.minimum",
            "billing.invoice.issued", "billing.did.activated", "billing.did.released", "billing.plan.expiring", "it.exact",
        ])
    }
}

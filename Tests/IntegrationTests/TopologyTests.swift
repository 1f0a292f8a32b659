import Contracts
import Messaging
import Testing

/// Declaring a queue never removes a binding; a release that drops one says so (`QueueSpec.removedBindings`).
@Suite("Topology")
struct TopologyTests {
    @Test("a binding an earlier release made is removed when the queue is declared with it among removedBindings; the queue and its messages stay")
    func removedBindingsAreUnbound() async throws {
        let queue = testQueue("unbind")
        let key = queue.bindings[0]
        let earlier = try TestEnvironment.connection("unbind-earlier", queues: [queue])
        earlier.start()
        try await earlier.waitUntilConnected()
        try await earlier.publish(try numberedEnvelopes(0..<3, routingKey: key).map(OutgoingMessage.init))
        try await eventually(timeout: .seconds(10), "the bound queue holds the three events") {
            try await earlier.status(ofQueue: queue.name)?.messages == 3
        }
        await earlier.shutdown()

        var unbound = queue
        unbound.bindings = []
        unbound.removedBindings = [key]
        let later = try TestEnvironment.connection("unbind-later", queues: [unbound])
        later.start()
        try await later.waitUntilConnected()
        // Confirmed by the broker (a message no binding takes is confirmed too), and routed nowhere.
        try await later.publish(try numberedEnvelopes(3..<6, routingKey: key).map(OutgoingMessage.init))
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await later.status(ofQueue: queue.name)?.messages == 3)
        await later.shutdown()
        // Declared again the same way, nothing fails: unbinding a binding that is gone is a no-op.
        let again = try TestEnvironment.connection("unbind-again", queues: [unbound])
        again.start()
        try await again.waitUntilConnected()
        #expect(try await again.status(ofQueue: queue.name)?.messages == 3)
        await again.shutdown()
    }
}

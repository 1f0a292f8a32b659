import Contracts
import Messaging

/// Reads envelopes from `queue` until `done` holds, then for one more second to catch duplicates (at most
/// `timeout` in all). The broker may carry an event twice; callers dedupe by event id.
func collectEnvelopes(
    from queue: String, on connection: AMQPConnection, timeout: Duration = .seconds(60), until done: ([EncodedEnvelope]) -> Bool
) async throws -> [EncodedEnvelope] {
    let subscription = connection.subscribe(queue: queue, prefetch: 500)
    let stop = { @Sendable (after: Duration) in
        Task {
            do {
                try await Task.sleep(for: after)
                await subscription.cancel()
            } catch {}
        }
    }
    let deadline = stop(timeout)
    var envelopes: [EncodedEnvelope] = []
    var finishing = false
    while true {
        let deliveries = await subscription.next(max: 500)
        if deliveries.isEmpty { break }
        for delivery in deliveries {
            envelopes.append(try EncodedEnvelope(body: delivery.body))
            subscription.settle(delivery, .ack)
        }
        if !finishing && done(envelopes) {
            finishing = true
            deadline.cancel()
            _ = stop(.seconds(1))
        }
    }
    return envelopes
}

/// The headers only, for tests that count events by type.
func collectHeaders(
    from queue: String, on connection: AMQPConnection, until done: ([EnvelopeHeader]) -> Bool
) async throws -> [EnvelopeHeader] {
    try await collectEnvelopes(from: queue, on: connection) { done($0.map(\.header)) }.map(\.header)
}

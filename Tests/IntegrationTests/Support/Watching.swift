import Contracts
import Messaging

/// Reads envelopes from `queue` until `done` holds, then for `linger` more to catch duplicates (at most
/// `timeout` in all). The broker may carry an event twice; callers dedupe by event id.
func collectEnvelopes(
    from queue: String, on connection: AMQPConnection, timeout: Duration = .seconds(60), linger: Duration = .seconds(1),
    until done: ([EncodedEnvelope]) -> Bool
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
            _ = stop(linger)
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

/// What the services under test announced: a queue bound on the events exchange from the moment the tap opens. The relay
/// deletes each outbox row it published, so tests count published events here, by event id.
struct EventTap: Sendable {
    let queue: QueueSpec
    let connection: AMQPConnection

    /// A tap on `bindings`, declared and bound before this returns: open it before the action whose events it counts.
    static func open(_ name: String, bindings: [String]) async throws -> EventTap {
        let queue = QueueSpec(name: "it." + TestEnvironment.uniqueName(name), bindings: bindings)
        let connection = try TestEnvironment.connection(name, queues: [queue])
        connection.start()
        try await connection.waitUntilConnected()
        return EventTap(queue: queue, connection: connection)
    }

    /// Each event once (the first copy of each id), read until `done` holds of what arrived, and for `linger` more.
    func events(
        timeout: Duration = .seconds(60), linger: Duration = .seconds(1), until done: ([EncodedEnvelope]) -> Bool
    ) async throws -> [EncodedEnvelope] {
        var seen: Set<EventID> = []
        return try await collectEnvelopes(from: queue.name, on: connection, timeout: timeout, linger: linger, until: done)
            .filter { seen.insert($0.header.id).inserted }
    }

    /// The events that satisfy `matches`, once at least one has arrived (and `linger` more), each once.
    func events(
        matching matches: (EncodedEnvelope) -> Bool, timeout: Duration = .seconds(60), linger: Duration = .seconds(1)
    ) async throws -> [EncodedEnvelope] {
        try await events(timeout: timeout, linger: linger) { $0.contains(where: matches) }.filter(matches)
    }

    func close() async { await connection.shutdown() }
}

extension EncodedEnvelope {
    /// Whether the JSON body mentions `text` (a UID, a number, a provider id).
    func mentions(_ text: String) -> Bool { String(decoding: body, as: UTF8.self).contains(text) }
}

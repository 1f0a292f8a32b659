import Contracts
import Messaging
import Storage

extension AMQPConnection {
    /// Publishes in chunks, retrying a chunk until the broker confirms it (the broker may be restarting).
    func publishUntilConfirmed(_ envelopes: [EncodedEnvelope], chunk: Int = 1_000) async throws {
        var start = 0
        while start < envelopes.count {
            let slice = envelopes[start..<min(start + chunk, envelopes.count)]
            do {
                try await publish(slice.map(OutgoingMessage.init))
                start += chunk
            } catch {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

extension Database {
    /// Writes `envelopes` to this schema's outbox, `chunk` per transaction, as a service's writes would.
    func enqueue(_ envelopes: [EncodedEnvelope], chunk: Int) async throws {
        for slice in envelopes.chunked(chunk) {
            try await withTransaction { try await Outbox(schema: schema).enqueue(Array(slice), in: $0) }
        }
    }
}

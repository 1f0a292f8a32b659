import Synchronization

/// Deliveries of one consumer waiting for a handler. The I/O thread pushes; handler tasks take up to `max` at a
/// time, so batches grow by themselves while handlers are busy and stay small (low latency) when traffic is light.
final class DeliveryBuffer: Sendable {
    private struct Waiter {
        let max: Int
        let continuation: CheckedContinuation<[Delivery], Never>
    }

    private struct State {
        var items = RingBuffer<Delivery>()
        var waiters = RingBuffer<Waiter>()
        var finished = false
    }

    private let state = Mutex(State())

    /// Called on the I/O thread; never blocks.
    func push(_ deliveries: [Delivery]) {
        var resumptions: [(CheckedContinuation<[Delivery], Never>, [Delivery])] = []
        state.withLock { state in
            guard !state.finished else { return }
            for delivery in deliveries { state.items.append(delivery) }
            while !state.items.isEmpty, let waiter = state.waiters.popFirst() {
                resumptions.append((waiter.continuation, Self.take(waiter.max, from: &state.items)))
            }
        }
        for (continuation, batch) in resumptions { continuation.resume(returning: batch) }
    }

    /// Up to `max` deliveries, waiting for at least one; empty once the buffer is finished and drained.
    func next(max: Int) async -> [Delivery] {
        await withCheckedContinuation { continuation in
            let ready: [Delivery]? = state.withLock { state in
                if !state.items.isEmpty { return Self.take(max, from: &state.items) }
                if state.finished { return [] }
                state.waiters.append(Waiter(max: max, continuation: continuation))
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// What is buffered right now, up to `max`, without waiting.
    func takeAvailable(max: Int) -> [Delivery] {
        state.withLock { Self.take(max, from: &$0.items) }
    }

    /// No more deliveries will come (consumer cancelled): waiting handlers wake with what is left, then empty.
    func finish() {
        let waiters: [CheckedContinuation<[Delivery], Never>] = state.withLock { state in
            state.finished = true
            var waiting: [CheckedContinuation<[Delivery], Never>] = []
            while let waiter = state.waiters.popFirst() { waiting.append(waiter.continuation) }
            return waiting
        }
        for waiter in waiters { waiter.resume(returning: []) }
    }

    /// Deliveries of a dead connection can no longer be acked; the broker redelivers them.
    func dropStale(generation: UInt64) {
        state.withLock { state in
            var kept = RingBuffer<Delivery>()
            while let delivery = state.items.popFirst() {
                if delivery.tag.generation >= generation { kept.append(delivery) }
            }
            state.items = kept
        }
    }

    private static func take(_ max: Int, from items: inout RingBuffer<Delivery>) -> [Delivery] {
        var batch: [Delivery] = []
        batch.reserveCapacity(min(max, items.count))
        while batch.count < max, let item = items.popFirst() { batch.append(item) }
        return batch
    }
}

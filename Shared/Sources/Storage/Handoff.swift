import Synchronization

/// A one-time number passed from one task to another: the first `announce` wins, later ones are ignored.
final class Handoff: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Int, Never>?)
        case announced(Int)
    }

    private let state = Mutex(State.waiting(nil))

    func announce(_ value: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Int, Never>? in
            guard case .waiting(let waiter) = state else { return nil }
            state = .announced(value)
            return waiter
        }
        waiter?.resume(returning: value)
    }

    /// Waits for the announced number.
    func claimed() async -> Int {
        await withCheckedContinuation { continuation in
            let value = state.withLock { state -> Int? in
                switch state {
                case .announced(let value): return value
                case .waiting:
                    state = .waiting(continuation)
                    return nil
                }
            }
            if let value { continuation.resume(returning: value) }
        }
    }
}

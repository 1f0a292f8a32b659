import Synchronization

/// A value handed from one task to another exactly once: the first `fulfill` wins, later ones are ignored,
/// and any number of waiters get the same result. Used for publish confirms and for the relay's hand-offs.
public final class OneShot<Value: Sendable>: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Value, any Error>])
        case done(Result<Value, any Error>)
    }

    private let state = Mutex(State.waiting([]))

    public init() {}

    public func fulfill(_ result: Result<Value, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Value, any Error>] in
            guard case .waiting(let waiters) = state else { return [] }
            state = .done(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// Already fulfilled with an error: for a thread that may not wait.
    public var hasFailed: Bool {
        state.withLock { state in
            if case .done(.failure) = state { true } else { false }
        }
    }

    public func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let result = state.withLock { state -> Result<Value, any Error>? in
                switch state {
                case .done(let result): return result
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }
}

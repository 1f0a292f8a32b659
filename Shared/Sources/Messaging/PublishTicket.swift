import Synchronization

/// The broker's answer to one `send`: wait on it for the confirms. Sending and waiting are separate so a caller
/// can put several batches on the wire, in order, before the first one is confirmed.
public final class PublishTicket: Sendable {
    private enum State {
        case waiting(CheckedContinuation<Void, any Error>?)
        case finished(Result<Void, AMQPError>)
    }

    private let state = Mutex(State.waiting(nil))

    init() {}

    init(failed error: AMQPError) {
        state.withLock { $0 = .finished(.failure(error)) }
    }

    /// Returns once the broker confirmed every message; throws `nacked`, `connectionLost` or `closed`.
    public func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let result = state.withLock { state -> Result<Void, AMQPError>? in
                switch state {
                case .finished(let result): return result
                case .waiting:
                    state = .waiting(continuation)
                    return nil
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }

    func finish(_ result: Result<Void, AMQPError>) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard case .waiting(let waiter) = state else { return nil }
            state = .finished(result)
            return waiter
        }
        waiter?.resume(with: result.mapError { $0 as any Error })
    }
}

import Messaging

/// Runs `work` in a task of its own and returns its result, or `fallback` once `timeout` has passed, whichever comes
/// first. For database calls that cannot be cancelled once under way (a query sent on a half-open connection, a
/// lease waiting for a pool that cannot connect): the caller must not wait on them any longer than that. The task
/// does not inherit the caller's cancellation, so the work is still attempted while the caller is being cancelled.
func bounded<Value: Sendable>(_ timeout: Duration, fallback: Value, _ work: @escaping @Sendable () async -> Value) async -> Value {
    let result = OneShot<Value>()
    let worker = Task { result.fulfill(.success(await work())) }
    let timer = Task {
        try? await Task.sleep(for: timeout)
        result.fulfill(.success(fallback))
    }
    defer {
        worker.cancel()
        timer.cancel()
    }
    return (try? await result.value()) ?? fallback
}

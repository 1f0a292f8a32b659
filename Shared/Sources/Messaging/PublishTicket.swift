/// The broker's answer to one `send`: wait on it for the confirms. Sending and waiting are separate so a caller
/// can put several batches on the wire, in order, before the first one is confirmed.
public struct PublishTicket: Sendable {
    private let confirmed = OneShot<Void>()

    init() {}

    /// Returns once the broker confirmed every message; throws `nacked`, `connectionLost` or `closed`.
    public func wait() async throws { try await confirmed.value() }

    /// `wait()`, but a broker that has not confirmed within `timeout` fails the ticket with `connectionLost` (the
    /// messages may or may not be on the broker). A broker under a memory or disk alarm blocks its publishers and
    /// confirms nothing for as long as the alarm lasts; a caller holding a transaction open for the confirm (the
    /// outbox relay) must give up and try again later rather than hold it, and a service stopping must not wait.
    public func wait(timeout: Duration) async throws {
        let timer = Task { [self] in
            try await Task.sleep(for: timeout)
            finish(.failure(AMQPError(.connectionLost, "the broker confirmed nothing within \(timeout)")))
        }
        defer { timer.cancel() }
        try await confirmed.value()
    }

    func finish(_ result: Result<Void, AMQPError>) { confirmed.fulfill(result.mapError { $0 as any Error }) }

    /// The broker refused a message of it, or the connection was lost before all were confirmed.
    var hasFailed: Bool { confirmed.hasFailed }
}

/// The broker's answer to one `send`: wait on it for the confirms. Sending and waiting are separate so a caller
/// can put several batches on the wire, in order, before the first one is confirmed.
public struct PublishTicket: Sendable {
    private let confirmed = OneShot<Void>()

    init() {}

    /// Returns once the broker confirmed every message; throws `nacked`, `connectionLost` or `closed`.
    public func wait() async throws { try await confirmed.value() }

    func finish(_ result: Result<Void, AMQPError>) { confirmed.fulfill(result.mapError { $0 as any Error }) }

    /// The broker refused a message of it, or the connection was lost before all were confirmed.
    var hasFailed: Bool { confirmed.hasFailed }
}

/// Publishes messages and returns once the broker confirmed them all. `AMQPConnection` is the real one.
public protocol EventPublisher: Sendable {
    func publish(_ messages: [OutgoingMessage]) async throws
}

extension AMQPConnection: EventPublisher {}

/// Sends messages to the broker; `PublishTicket.wait()` returns once the broker confirmed them all.
/// `AMQPConnection` is the real one.
public protocol EventPublisher: Sendable {
    func send(_ messages: [OutgoingMessage]) -> PublishTicket
}

extension AMQPConnection: EventPublisher {}

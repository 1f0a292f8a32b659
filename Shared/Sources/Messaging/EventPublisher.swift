/// Sends messages to the broker; `PublishTicket.wait()` returns once the broker confirmed them all.
/// `AMQPConnection` is the real one.
public protocol EventPublisher: Sendable {
    /// `after`: an earlier batch these must follow; if it failed before these went on the wire, these are not sent
    /// and fail too, so a failed batch published again later cannot end up behind its successors.
    func send(_ messages: [OutgoingMessage], after predecessor: PublishTicket?) -> PublishTicket
}

extension AMQPConnection: EventPublisher {}

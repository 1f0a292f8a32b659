/// One message handed to a consumer. Settle it exactly once, through the consumer that received it.
public struct Delivery: Sendable {
    /// Identifies the delivery on the connection that carried it; stale after a reconnect (the broker redelivers).
    struct Tag: Sendable, Hashable {
        let generation: UInt64
        let channel: UInt16
        let deliveryTag: UInt64
    }

    let tag: Tag
    public let body: [UInt8]
    public let routingKey: String
    public let messageID: String?
    public let type: String?
    public let traceparent: String?
    /// The broker delivered it before (to us or to another consumer) and it was not acked.
    public let redelivered: Bool
    /// How many times the quorum queue handed it out before (`x-delivery-count`), 0 on the first delivery.
    public let deliveryCount: Int
    /// Why the broker dead-lettered it (`x-first-death-reason`: `delivery_limit`, `rejected`, …), for a message read
    /// from a `<queue>.dead`; nil for the rest.
    public let deadLetterReason: String?
}

/// What a consumer decided about one delivery.
public enum DeliveryOutcome: Sendable, Hashable {
    /// Done (or a duplicate): remove from the queue.
    case ack
    /// Transient failure: put back for another try; the delivery limit dead-letters a message that keeps failing.
    case requeue
    /// Never processable (e.g. not an envelope): dead-letter now.
    case reject
}

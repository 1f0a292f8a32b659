/// The exchanges, queues and bindings a service needs; declared on every (re)connect, idempotently.
public struct Topology: Sendable {
    /// The one topic exchange all events travel on; routing key = event type.
    public static let eventsExchange = "myop.events"
    /// Where poison messages go; each queue's dead letters are bound here under the queue's own name.
    public static let deadLetterExchange = "myop.dead"

    public var queues: [QueueSpec]

    public init(queues: [QueueSpec] = []) { self.queues = queues }
}

/// A durable quorum queue bound to `myop.events`, with a delivery limit and a `<name>.dead` parking queue.
public struct QueueSpec: Sendable, Hashable {
    public var name: String
    public var bindings: [String]
    /// After this many failed deliveries the broker dead-letters the message into `<name>.dead`.
    public var deliveryLimit: Int

    public init(name: String, bindings: [String], deliveryLimit: Int = 10) {
        self.name = name
        self.bindings = bindings
        self.deliveryLimit = deliveryLimit
    }

    public var deadLetterQueue: String { name + ".dead" }
}

import Contracts

/// The exchanges, queues and bindings a service needs; declared on every (re)connect, idempotently.
public struct Topology: Sendable {
    /// The one exchange all events travel on; routing key = event type. Direct, not topic: on RabbitMQ 3.10 a topic
    /// exchange's routing doubled the broker's CPU per publish, the largest single cost of the outbox → inbox path
    /// (BENCHMARKS.md, runs 16 and 17). Subscribers still write topic patterns (`QueueSpec.bindings`), bound as the
    /// event types they match. Named apart from the topic `myop.events` of earlier releases, which a broker that ran
    /// them still has: RabbitMQ refuses to redeclare an exchange with another type.
    ///
    /// The broker confirms a message that matches no binding, and the relay then deletes its outbox row: an event
    /// type only reaches a wildcard subscriber whose build lists it in `EventType.all`. A release that adds a type
    /// therefore deploys its consumers before its publishers, and a switch of a running deployment from the topic
    /// exchange has every service declare its queues here before any relay publishes here.
    public static let eventsExchange = "myop.events.direct"
    public static let eventsExchangeType = "direct"
    /// Where poison messages go; each queue's dead letters are bound here under the queue's own name.
    public static let deadLetterExchange = "myop.dead"

    public var queues: [QueueSpec]

    public init(queues: [QueueSpec] = []) { self.queues = queues }
}

/// A durable quorum queue bound to the events exchange, with a delivery limit and a `<name>.dead` parking queue.
public struct QueueSpec: Sendable, Hashable {
    public var name: String
    /// Event types or topic patterns (`call.*`, `billing.#`); see `routingKeys`.
    public var bindings: [String]
    /// After this many failed deliveries the broker dead-letters the message into `<name>.dead`.
    public var deliveryLimit: Int
    /// For temporary queues (test observers, benchmarks): the broker deletes the queue and its dead-letter queue
    /// once nobody used them for this long (`x-expires`). Service queues never expire.
    public var expiresAfter: Duration?
    /// Patterns an earlier release bound this queue to and this one does not: unbound at every declaration (declaring
    /// a queue never removes a binding), so a broker that ran the earlier release stops routing them here.
    ///
    /// Also where a queue whose consumer has not shipped yet keeps the bindings it will take: a bound queue nobody
    /// reads grows without end (970,000 events in a test broker's `webhooks.events` after a day of runs) until the
    /// broker's memory alarm stops every publisher. Events published before the consumer ships are not kept for it.
    public var removedBindings: [String]

    public init(name: String, bindings: [String], deliveryLimit: Int = 10, expiresAfter: Duration? = nil, removedBindings: [String] = []) {
        self.name = name
        self.bindings = bindings
        self.deliveryLimit = deliveryLimit
        self.expiresAfter = expiresAfter
        self.removedBindings = removedBindings
    }

    /// `x-expires` in milliseconds; 0 when the queue is permanent.
    var expiresMilliseconds: Int64 {
        guard let expiresAfter else { return 0 }
        return max(1, expiresAfter.wholeMilliseconds)
    }

    public var deadLetterQueue: String { name + ".dead" }

    /// The keys bound on the direct events exchange: each binding as is, or the known event types its pattern
    /// matches, each once.
    public var routingKeys: [String] { Self.keys(of: bindings) }

    /// The keys of `removedBindings` that no binding of this release still needs.
    public var removedRoutingKeys: [String] {
        let kept = Set(routingKeys)
        return Self.keys(of: removedBindings).filter { !kept.contains($0) }
    }

    /// The keys `patterns` bind, each once, in order.
    private static func keys(of patterns: [String]) -> [String] {
        var seen: Set<String> = []
        return patterns.flatMap { RoutingPattern(rawValue: $0).routingKeys() }.filter { seen.insert($0).inserted }
    }

    /// Patterns that match no known event type, so bind nothing (a typo such as `bilning.*`): logged at declaration,
    /// and each service's definition test expects none.
    public var unboundPatterns: [String] {
        bindings.filter { RoutingPattern(rawValue: $0).routingKeys().isEmpty }
    }
}

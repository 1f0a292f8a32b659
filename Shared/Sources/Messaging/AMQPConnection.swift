import CRabbitMQ
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// One connection to RabbitMQ, owned by one dedicated thread (rabbitmq-c is blocking and not thread-safe).
///
/// Async callers never touch the C library: they post commands that the I/O thread picks up between frames,
/// and the thread resumes their continuations. The thread reconnects with capped exponential backoff,
/// re-declares the topology and resumes every consumer; publishes in flight when the connection drops fail
/// with `AMQPError.Code.connectionLost`, and unacked deliveries come back from the broker.
///
/// As a `Service`, it runs until graceful shutdown and then closes. Put it before its consumers in a
/// `ServiceGroup` so they stop (and ack) before it closes.
public final class AMQPConnection: Sendable, Service {
    enum Command: Sendable {
        case publish([OutgoingMessage], PublishTicket, after: PublishTicket?)
        case subscribe(Subscription)
        case settle(channel: UInt16, generation: UInt64, [(UInt64, DeliveryOutcome)])
        case cancel(Subscription, CheckedContinuation<Void, Never>)
        case inspect(String, CheckedContinuation<QueueStatus?, any Error>)
        case close(CheckedContinuation<Void, Never>)
    }

    struct Shared {
        var commands: [Command] = []
        var connected = false
        var started = false
        var closed = false
        var nextChannel: UInt16 = 2
    }

    public let configuration: AMQPConfiguration
    public let topology: Topology
    let logger: Logger
    let shared = Mutex(Shared())
    /// Wakes the I/O thread from `poll` when a command arrives.
    let wakeFD: Int32

    public init(configuration: AMQPConfiguration, topology: Topology = Topology(), logger: Logger) {
        self.configuration = configuration
        self.topology = topology
        var logger = logger
        logger[metadataKey: "amqp"] = "\(configuration.connectionName)"
        self.logger = logger
        self.wakeFD = myop_eventfd()
    }

    deinit { close(wakeFD) }

    /// True while the connection is open and its topology declared; readiness reports this.
    public var isConnected: Bool { shared.withLock { $0.connected } }

    /// Starts the I/O thread (once); it connects in the background.
    public func start() {
        let first = shared.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        guard first else { return }
        let io = ConnectionIO(connection: self)
        let thread = Thread { io.run() }
        thread.name = "amqp-\(configuration.connectionName)"
        thread.start()
    }

    public func run() async throws {
        start()
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Waits until the connection is up, for start-up code and tests.
    public func waitUntilConnected(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !isConnected {
            guard ContinuousClock.now < deadline else {
                throw AMQPError(.connectionLost, "not connected to \(configuration.url) after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Publishes persistent messages and returns once the broker confirmed every one of them.
    /// Throws `nacked` if the broker refused any, `connectionLost` if the connection dropped first
    /// (then some may have been routed: publish again and let the consumers' inbox drop duplicates).
    public func publish(_ messages: [OutgoingMessage]) async throws {
        try await send(messages).wait()
    }

    /// Puts messages on the wire behind everything sent before, without waiting for the confirms; not at all if
    /// `predecessor` failed by then (see `EventPublisher`).
    public func send(_ messages: [OutgoingMessage], after predecessor: PublishTicket? = nil) -> PublishTicket {
        let ticket = PublishTicket()
        if messages.isEmpty {
            ticket.finish(.success(()))
        } else if !post(.publish(messages, ticket, after: predecessor)) {
            ticket.finish(.failure(AMQPError(.closed, "connection \(configuration.connectionName) is closed")))
        }
        return ticket
    }

    public func publish(_ message: OutgoingMessage) async throws { try await publish([message]) }

    /// Starts consuming `queue` on a channel of its own with manual acks and the given prefetch.
    /// The subscription survives reconnects.
    public func subscribe(queue: String, prefetch: UInt16 = 200) -> Subscription {
        let channel = shared.withLock { state -> UInt16 in
            defer { state.nextChannel += 1 }
            return state.nextChannel
        }
        let subscription = Subscription(connection: self, queue: queue, channel: channel, prefetch: prefetch)
        _ = post(.subscribe(subscription))
        return subscription
    }

    /// Ready messages and consumers of a queue (`nil` when it does not exist); for tests, tools and readiness.
    public func status(ofQueue queue: String) async throws -> QueueStatus? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<QueueStatus?, any Error>) in
            if !post(.inspect(queue, continuation)) {
                continuation.resume(throwing: AMQPError(.closed, "connection \(configuration.connectionName) is closed"))
            }
        }
    }

    /// Stops the broker's deliveries to `subscription`; already received ones stay in its buffer.
    func cancel(_ subscription: Subscription) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if !post(.cancel(subscription, continuation)) {
                subscription.buffer.finish()
                continuation.resume()
            }
        }
    }

    /// One settle command per connection and channel: a batch filled across a reconnect holds deliveries of both
    /// connections, and the new connection's must be acked (the I/O thread drops only the dead one's).
    func settle(_ deliveries: [(Delivery, DeliveryOutcome)]) {
        struct Origin: Hashable {
            let generation: UInt64
            let channel: UInt16
        }
        var byOrigin: [Origin: [(UInt64, DeliveryOutcome)]] = [:]
        for (delivery, outcome) in deliveries {
            byOrigin[Origin(generation: delivery.tag.generation, channel: delivery.tag.channel), default: []].append((delivery.tag.deliveryTag, outcome))
        }
        for (origin, tags) in byOrigin {
            _ = post(.settle(channel: origin.channel, generation: origin.generation, tags))
        }
    }

    /// Closes the connection after the commands already posted; later calls fail with `closed`.
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let started = shared.withLock { $0.started }
            if !started || !post(.close(continuation)) { continuation.resume() }
        }
    }

    /// Queues a command for the I/O thread; false once the connection is closed.
    private func post(_ command: Command) -> Bool {
        let accepted = shared.withLock { state -> Bool in
            guard !state.closed else { return false }
            if case .close = command { state.closed = true }
            state.commands.append(command)
            return true
        }
        if accepted { myop_eventfd_signal(wakeFD) }
        return accepted
    }
}

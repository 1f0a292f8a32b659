import CRabbitMQ
import Foundation
import Logging
import Metrics
import Synchronization

/// The I/O thread's side of an `AMQPConnection`. Every member is touched only on that thread.
final class ConnectionIO: @unchecked Sendable {
    private typealias PublishToken = PublishTicket

    /// A class, so a lookup per delivery neither copies the ack tracker nor has to be written back.
    private final class Consumer {
        /// Deliveries are handed over once half the prefetch window has arrived, or when the first of them has
        /// waited this long: while the broker streams, a handler then wakes once per half window instead of once per
        /// socket read (a few deliveries each), and a quiet queue still answers within a millisecond.
        static let holdTime: Duration = .milliseconds(1)

        let subscription: Subscription
        var acks: AckTracker
        var active = true
        /// Read from the socket, not yet handed to the subscription's buffer.
        private var held: [Delivery] = []
        private var heldSince: ContinuousClock.Instant?
        private var handOverAt: Int { max(1, Int(subscription.prefetch) / 2) }

        init(subscription: Subscription) {
            self.subscription = subscription
            self.acks = Self.freshAcks(subscription.prefetch)
        }

        /// Acks fold up to half the window too, as the raw loop acks: the other half keeps flowing meanwhile.
        private static func freshAcks(_ prefetch: UInt16) -> AckTracker { AckTracker(foldAtLeast: Int(prefetch) / 2) }

        /// So many deliveries came within the hold time that the broker is streaming: the rest can be read in one go
        /// when the hold ends. (At 16, a consumer at 10,000 messages/s never streams; one at 60,000 does after 0.3 ms.)
        var isStreaming: Bool { held.count >= Self.streamingHeld }
        static let streamingHeld = 16

        func hold(_ delivery: Delivery, now: ContinuousClock.Instant) {
            if held.isEmpty { heldSince = now }
            held.append(delivery)
        }

        /// Hands the held deliveries to the buffer if enough arrived or the first waited long enough (or `force`).
        func handOver(now: ContinuousClock.Instant, force: Bool = false) {
            guard let since = heldSince else { return }
            guard force || held.count >= handOverAt || now - since >= Self.holdTime else { return }
            subscription.buffer.push(held)
            held.removeAll(keepingCapacity: true)
            heldSince = nil
        }

        /// When `handOver` or the ack tracker will next act although nothing else happens.
        var nextDeadline: ContinuousClock.Instant? {
            [heldSince.map { $0 + Self.holdTime }, acks.nextFlush].compactMap { $0 }.min()
        }

        /// A new connection: nothing outstanding; what a dead one delivered will come again.
        func reset() {
            acks = Self.freshAcks(subscription.prefetch)
            held.removeAll()
            heldSince = nil
        }

        var consumerTag: String { "\(subscription.connection.configuration.connectionName).\(subscription.queue).\(subscription.channel)" }
    }

    /// A failure that ends the current connection; the loop reconnects.
    private struct ConnectionFailure: Error, CustomStringConvertible {
        let description: String
    }

    private static let publishChannel: UInt16 = 1
    /// Opened and closed around each passive declare; far above the consumers' channels.
    private static let inspectionChannel: UInt16 = 2_047

    private let connection: AMQPConnection
    private let configuration: AMQPConfiguration
    private var logger: Logger
    private var state: amqp_connection_state_t?
    private var generation: UInt64 = 0
    private var confirms = ConfirmTracker<PublishToken>()
    private var waitingPublishes = RingBuffer<(messages: [OutgoingMessage], ticket: PublishToken, after: PublishToken?)>()
    private var nextAbandonedCheck = ContinuousClock.now
    /// The first waiting batch has its confirm numbers (`confirms.begin`), and this many of its messages are written:
    /// it is finished before any other batch is begun. Begun is not "one message written": the socket may have had
    /// no room for the first, and numbering a batch twice would leave its last numbers waiting for good.
    private var headBegun = false
    private var headSent = 0
    /// The socket's send buffer was too full for the next message: look again soon.
    private var waitingForRoom = false
    private var consumers: [UInt16: Consumer] = [:]
    private var closeRequest: CheckedContinuation<Void, Never>?
    private var reconnectDelay: Duration
    /// The broker stopped reading this connection (connection.blocked: a memory or disk alarm). Publishes wait
    /// here until it unblocks: one more write could fill the socket and block this thread inside rabbitmq-c, where
    /// nothing (a close, an inspection, a settle) is served any more.
    private var blockedByBroker = false {
        didSet { blocked.record(blockedByBroker ? 1 : 0) }
    }
    private var errorText = [CChar](repeating: 0, count: 512)

    private let published: Counter
    private let delivered: Counter
    private let reconnects: Counter
    private let blocked: Gauge

    init(connection: AMQPConnection) {
        self.connection = connection
        self.configuration = connection.configuration
        self.logger = connection.logger
        self.reconnectDelay = configuration.reconnectInitialDelay
        let dimensions = [("connection", configuration.connectionName)]
        self.published = Counter(label: "amqp_published_total", dimensions: dimensions)
        self.delivered = Counter(label: "amqp_delivered_total", dimensions: dimensions)
        self.reconnects = Counter(label: "amqp_reconnects_total", dimensions: dimensions)
        self.blocked = Gauge(label: "amqp_blocked", dimensions: dimensions)
    }

    // MARK: Loop

    func run() {
        while closeRequest == nil {
            if state == nil {
                do {
                    try connect()
                    reconnectDelay = configuration.reconnectInitialDelay
                } catch {
                    logger.warning("broker unreachable, retrying", metadata: ["error": "\(error)", "retry_in": "\(reconnectDelay)"])
                    disconnect()
                    pauseBeforeReconnect()
                    continue
                }
            }
            do {
                let commandsWaiting = try processCommands()
                // Confirms read first: they may open the window for publishes that wait for it.
                let framesRead = try readFrames()
                try sendWaitingPublishes()
                try flushAcks()
                // A read that stopped short emptied the socket: the wait returns at once if more has come since.
                if !commandsWaiting && framesRead < Self.framesPerRead {
                    try waitForWork()
                }
            } catch {
                logger.warning("broker connection lost", metadata: ["error": "\(error)"])
                reconnects.increment()
                disconnect()
            }
        }
        closeGracefully()
    }

    /// Sleeps until a socket frame or a command arrives, at most a second (heartbeats are sent from the loop).
    ///
    /// While a consumer holds many deliveries for its hand-over (the broker is streaming), the socket is left to fill
    /// until the hold ends: this thread would otherwise wake for every few deliveries, and on two shared cores each
    /// wake-up costs more than the deliveries it reads (`loadgen bus`, BENCHMARKS.md run 14). A trickle is still read
    /// as it comes, and commands (settles, publishes) still wake the thread at once.
    private func waitForWork() throws {
        guard let state else { return }
        if Self.hasBuffered(state) { return }
        // Held deliveries and acks must go out in time even if nothing else happens.
        var timeout: Duration = .seconds(1)
        // The broker takes a full send buffer in well over a millisecond, so a millisecond's look costs no throughput.
        if waitingForRoom { timeout = .milliseconds(1) }
        if let due = consumers.values.compactMap(\.nextDeadline).min() { timeout = min(timeout, max(.zero, due - .now)) }
        let streaming = consumers.values.contains(where: \.isStreaming)
        sleep(socket: streaming ? -1 : amqp_get_sockfd(state), timeout: timeout)
    }

    /// Waits in `ppoll` for the socket (if any), a posted command (the eventfd), or the timeout.
    private func sleep(socket: Int32, timeout: Duration) {
        if myop_wait_readable(socket, connection.wakeFD, Int(clamping: max(.zero, timeout).wholeMicroseconds)) & 2 != 0 {
            myop_eventfd_drain(connection.wakeFD)
        }
    }

    private func pauseBeforeReconnect() {
        let deadline = ContinuousClock.now + reconnectDelay
        while ContinuousClock.now < deadline, closeRequest == nil {
            sleep(socket: -1, timeout: deadline - .now)
            _ = try? processCommands()
        }
        reconnectDelay = min(reconnectDelay * 2, configuration.reconnectMaximumDelay)
    }

    // MARK: Connect and declare

    private func connect() throws {
        guard let state = amqp_new_connection() else { throw ConnectionFailure(description: "amqp_new_connection failed") }
        self.state = state
        let url = configuration.url
        let socket = url.tls ? amqp_ssl_socket_new(state) : amqp_tcp_socket_new(state)
        guard let socket else { throw ConnectionFailure(description: "cannot create socket") }
        if url.tls {
            amqp_ssl_socket_set_verify_peer(socket, configuration.tlsVerifyPeer ? 1 : 0)
            amqp_ssl_socket_set_verify_hostname(socket, configuration.tlsVerifyPeer ? 1 : 0)
            if let path = configuration.tlsCACertificatePath {
                let status = amqp_ssl_socket_set_cacert(socket, path)
                guard status == 0 else { throw ConnectionFailure(description: "cannot read CA certificate \(path): \(Self.statusText(status))") }
            }
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        amqp_set_handshake_timeout(state, &timeout)
        amqp_set_rpc_timeout(state, &timeout)
        let opened = amqp_socket_open_noblock(socket, url.host, Int32(url.port), &timeout)
        guard opened == 0 else { throw ConnectionFailure(description: "cannot open \(url): \(Self.statusText(opened))") }
        try check(
            myop_login(
                state, url.vhost, 131_072, Int32(configuration.heartbeatSeconds), url.user, url.password,
                configuration.connectionName, &errorText, errorText.count), "login to \(url)")
        try check(myop_channel_open(state, Self.publishChannel, &errorText, errorText.count), "channel.open")
        try declareTopology(state)
        try check(myop_confirm_select(state, Self.publishChannel, &errorText, errorText.count), "confirm.select")
        generation += 1
        for channel in consumers.keys.sorted() where consumers[channel]?.active == true {
            try startConsumer(channel)
        }
        connection.shared.withLock { $0.connected = true }
        logger.info("connected to broker", metadata: ["url": "\(url)", "consumers": "\(consumers.count)"])
    }

    private func declareTopology(_ state: amqp_connection_state_t) throws {
        let channel = Self.publishChannel
        try check(myop_exchange_declare(state, channel, Topology.eventsExchange, Topology.eventsExchangeType, &errorText, errorText.count), "declare exchange")
        try check(myop_exchange_declare(state, channel, Topology.deadLetterExchange, "direct", &errorText, errorText.count), "declare exchange")
        for queue in connection.topology.queues {
            try check(
                myop_queue_declare(state, channel, queue.deadLetterQueue, 1, 0, nil, nil, queue.expiresMilliseconds, &errorText, errorText.count),
                "declare \(queue.deadLetterQueue)")
            try check(
                myop_queue_bind(state, channel, queue.deadLetterQueue, Topology.deadLetterExchange, queue.name, &errorText, errorText.count),
                "bind \(queue.deadLetterQueue)")
            try check(
                myop_queue_declare(
                    state, channel, queue.name, 1, Int32(queue.deliveryLimit), Topology.deadLetterExchange, queue.name,
                    queue.expiresMilliseconds, &errorText, errorText.count), "declare \(queue.name)")
            let unbound = queue.unboundPatterns
            if !unbound.isEmpty {
                logger.warning("binding patterns match no known event type", metadata: ["queue": "\(queue.name)", "patterns": "\(unbound)"])
            }
            for key in queue.routingKeys {
                try check(
                    myop_queue_bind(state, channel, queue.name, Topology.eventsExchange, key, &errorText, errorText.count),
                    "bind \(queue.name) to \(key)")
            }
            // RabbitMQ answers unbind-ok for a binding that does not exist, so this is idempotent too.
            for key in queue.removedRoutingKeys {
                try check(
                    myop_queue_unbind(state, channel, queue.name, Topology.eventsExchange, key, &errorText, errorText.count),
                    "unbind \(queue.name) from \(key)")
            }
        }
    }

    private func startConsumer(_ channel: UInt16) throws {
        guard let state, let consumer = consumers[channel] else { return }
        consumer.reset()
        try check(myop_channel_open(state, channel, &errorText, errorText.count), "channel.open \(channel)")
        try check(myop_basic_qos(state, channel, consumer.subscription.prefetch, &errorText, errorText.count), "basic.qos")
        try check(
            myop_basic_consume(state, channel, consumer.subscription.queue, consumer.consumerTag, &errorText, errorText.count),
            "basic.consume \(consumer.subscription.queue)")
    }

    // MARK: Commands

    /// Takes every posted command; returns whether any arrived (so the loop does not sleep).
    ///
    /// A command that fails on the wire ends the connection; the commands behind it go back to the front of the
    /// queue for after the reconnect (or the close), because each may carry a caller's continuation or ticket that
    /// would otherwise never be resumed.
    @discardableResult
    private func processCommands() throws -> Bool {
        let commands = connection.shared.withLock { shared -> [AMQPConnection.Command] in
            defer { shared.commands.removeAll(keepingCapacity: true) }
            return shared.commands
        }
        for (index, command) in commands.enumerated() {
            do {
                try process(command)
            } catch {
                let rest = commands[(index + 1)...]
                connection.shared.withLock { $0.commands.insert(contentsOf: rest, at: 0) }
                throw error
            }
        }
        return !commands.isEmpty
    }

    private func process(_ command: AMQPConnection.Command) throws {
        switch command {
        case .publish(let messages, let ticket, let predecessor):
            if state == nil {
                ticket.finish(.failure(AMQPError(.connectionLost, "not connected to the broker")))
            } else {
                waitingPublishes.append((messages, ticket, predecessor))
            }
        case .subscribe(let subscription):
            consumers[subscription.channel] = Consumer(subscription: subscription)
            if state != nil { try startConsumer(subscription.channel) }
        case .settle(let channel, let generation, let outcomes):
            guard generation == self.generation, state != nil, let consumer = consumers[channel] else { return }
            for (tag, outcome) in outcomes {
                if let frame = consumer.acks.settle(tag, outcome) { try send(frame, channel: channel) }
            }
        case .cancel(let subscription, let continuation):
            // Whatever the wire does, the subscription ends here: not restarted on a reconnect, its handlers
            // drain what they hold, and its caller goes on.
            defer {
                consumers[subscription.channel]?.active = false
                subscription.buffer.finish()
                continuation.resume()
            }
            if let state, let consumer = consumers[subscription.channel], consumer.active {
                consumer.handOver(now: .now, force: true)  // delivered before the cancel: the handlers drain them
                try check(myop_basic_cancel(state, subscription.channel, consumer.consumerTag, &errorText, errorText.count), "basic.cancel")
            }
        case .inspect(let queue, let continuation):
            guard let state else {
                continuation.resume(throwing: AMQPError(.connectionLost, "not connected to the broker"))
                return
            }
            // A blocked connection is not read by the broker at all: the declare would wait out the RPC timeout and
            // then end the connection, failing every publish that waits for the alarm to clear.
            guard !blockedByBroker else {
                continuation.resume(throwing: AMQPError(.connectionLost, "the broker is blocking this connection (memory or disk alarm)"))
                return
            }
            var messages: UInt32 = 0
            var consumerCount: UInt32 = 0
            let status = myop_queue_inspect(state, Self.inspectionChannel, queue, &messages, &consumerCount, &errorText, errorText.count)
            switch status {
            case 0: continuation.resume(returning: QueueStatus(messages: Int(messages), consumers: Int(consumerCount)))
            case 404: continuation.resume(returning: nil)
            default:
                continuation.resume(throwing: AMQPError(.connectionLost, "inspecting \(queue) failed (\(status))"))
                try check(status, "inspect \(queue)")
            }
        case .close(let continuation):
            closeRequest = continuation
        }
    }

    /// Puts waiting batches on the wire, in order, as far as the unconfirmed window and the socket allow.
    ///
    /// Never more than the socket's send buffer can take: rabbitmq-c writes without a deadline, and a broker that
    /// stops reading (a memory or disk alarm blocks a publisher before it can tell us so) would hold this thread in
    /// that write until the alarm clears, serving nothing: no close, no inspection, no settle. A batch whose messages
    /// do not all fit is finished on later rounds (`headBegun`, `headSent`), ahead of every other batch.
    private func sendWaitingPublishes() throws {
        waitingForRoom = false
        defer { dropAbandonedPublishes() }
        guard let state, !blockedByBroker else { return }
        var room = SocketRoom()
        while let (messages, ticket, predecessor) = waitingPublishes.first {
            if !headBegun {
                guard confirms.unconfirmedCount == 0 || confirms.unconfirmedCount + messages.count <= configuration.maximumUnconfirmed else { return }
                // Given up already (its caller's confirm timeout ran out while it waited here): sent now, it would only
                // be a copy of what the caller publishes again.
                if ticket.hasFailed {
                    _ = waitingPublishes.removeFirst()
                    continue
                }
                if predecessor?.hasFailed == true {
                    _ = waitingPublishes.removeFirst()
                    ticket.finish(.failure(AMQPError(.connectionLost, "not sent: an earlier batch it must follow failed")))
                    continue
                }
                confirms.begin(count: messages.count, token: ticket)
                headBegun = true
            }
            while headSent < messages.count {
                let message = messages[headSent]
                guard room.take(message.body.count + Self.framingAllowance, state: state) else {
                    waitingForRoom = true
                    return
                }
                let status = Self.withCStrings(message) { exchange, routingKey, messageID, type, correlationID, traceparent in
                    message.body.withUnsafeBytes { body in
                        myop_publish(
                            state, Self.publishChannel, exchange, routingKey, messageID, type, correlationID, traceparent, message.timestamp,
                            body.baseAddress, body.count)
                    }
                }
                guard status == 0 else { throw ConnectionFailure(description: "publish failed: \(Self.statusText(status))") }
                headSent += 1
            }
            published.increment(by: messages.count)
            _ = waitingPublishes.removeFirst()
            headBegun = false
            headSent = 0
        }
    }

    /// Batches whose callers gave up (their confirm timeout ran out) leave the queue, and so do those that had to
    /// follow them, at most once a second. They would otherwise only leave it on reaching its head, and while nothing
    /// moves (a broker blocking the connection for an alarm, a full socket or confirm window) every caller's retry
    /// adds its copy of the bodies to them: a relay alone would add thousands of messages every few seconds.
    private func dropAbandonedPublishes() {
        let now = ContinuousClock.now
        guard !waitingPublishes.isEmpty, now >= nextAbandonedCheck else { return }
        nextAbandonedCheck = now + .seconds(1)
        var kept = RingBuffer<(messages: [OutgoingMessage], ticket: PublishToken, after: PublishToken?)>()
        var isHead = true
        while let entry = waitingPublishes.popFirst() {
            defer { isHead = false }
            // A batch partly on the wire is finished whatever happens: its confirms are counted already.
            if isHead && headBegun {
                kept.append(entry)
            } else if entry.ticket.hasFailed {
                continue
            } else if entry.after?.hasFailed == true {
                entry.ticket.finish(.failure(AMQPError(.connectionLost, "not sent: an earlier batch it must follow failed")))
            } else {
                kept.append(entry)
            }
        }
        waitingPublishes = kept
    }

    /// What a message is charged in the send buffer besides its body: the method and header frames with the
    /// properties, and the kernel's bookkeeping for the buffers they go in, generously.
    private static let framingAllowance = 2_048

    /// The send buffer's free space, asked of the kernel only when what was last known runs out.
    private struct SocketRoom {
        /// Nothing known until the first message asks: most rounds have nothing to send.
        private var room = 0

        /// Whether `bytes` more may be written now. An empty socket takes anything: a message larger than the buffer
        /// must go some time, and only a broker that stops reading at that very moment could block it.
        mutating func take(_ bytes: Int, state: amqp_connection_state_t) -> Bool {
            if bytes > room {
                let now = Self.ask(state, wanted: bytes)
                guard bytes <= now.room || now.queued == 0 else { return false }
                room = now.room
            }
            room -= bytes
            return true
        }

        private static func ask(_ state: amqp_connection_state_t, wanted: Int) -> (room: Int, queued: Int) {
            var room = 0
            var queued = 0
            guard myop_socket_room(amqp_get_sockfd(state), wanted, &room, &queued) == 0 else { return (.max / 2, 0) }
            return (room, queued)
        }
    }

    // MARK: Frames

    /// rabbitmq-c holds decoded frames or unread bytes: more can be handled without asking the socket.
    private static func hasBuffered(_ state: amqp_connection_state_t) -> Bool {
        amqp_frames_enqueued(state) != 0 || amqp_data_in_buffer(state) != 0
    }

    /// At most this many frames per read, so that commands and acks are not starved by a busy socket.
    private static let framesPerRead = 2_000

    /// Reads what the socket has, without blocking; returns the number of frames handled.
    private func readFrames() throws -> Int {
        guard let state else { return 0 }
        var handled = 0
        let now = ContinuousClock.now
        defer {
            let end = ContinuousClock.now
            for consumer in consumers.values { consumer.handOver(now: end) }
            // Everything read has been copied out; the library keeps its pools until told (and only when no
            // frames are queued), so a busy connection would otherwise grow without bound.
            amqp_maybe_release_buffers(state)
        }
        var frame = myop_frame_t()
        repeat {
            // Once the buffered bytes are used up, asking the socket again would mostly find it empty (a system call
            // for nothing); the wait that follows notices new data as well.
            if handled > 0 && !Self.hasBuffered(state) { return handled }
            let status = myop_next_frame(state, 0, &frame)
            guard status == 0 else { throw ConnectionFailure(description: "read failed: \(Self.statusText(status))") }
            switch Int(frame.kind) {
            case MYOP_FRAME_NONE:
                if !Self.hasBuffered(state) { return handled }
            case MYOP_FRAME_DELIVER:
                if try receiveDelivery(state, frame, now: now) { delivered.increment() }
            case MYOP_FRAME_CONFIRM_ACK, MYOP_FRAME_CONFIRM_NACK:
                let nack = Int(frame.kind) == MYOP_FRAME_CONFIRM_NACK
                for (ticket, nacked) in confirms.confirm(frame.delivery_tag, multiple: frame.multiple != 0, nack: nack) {
                    ticket.finish(nacked ? .failure(AMQPError(.nacked, "the broker refused a message")) : .success(()))
                }
            case MYOP_FRAME_CLOSED:
                throw ConnectionFailure(description: "broker closed channel \(frame.channel) with \(frame.reply_code)")
            case MYOP_FRAME_CANCELLED:
                throw ConnectionFailure(description: "broker cancelled the consumer on channel \(frame.channel)")
            case MYOP_FRAME_BLOCKED:
                if !blockedByBroker { logger.warning("the broker blocked publishing (memory or disk alarm); publishes wait") }
                blockedByBroker = true
            case MYOP_FRAME_UNBLOCKED:
                if blockedByBroker { logger.notice("the broker unblocked publishing") }
                blockedByBroker = false
            default:
                break
            }
            handled += 1
        } while handled < Self.framesPerRead
        return handled
    }

    /// Reads the message of a `basic.deliver` and holds it for its consumer; false if no consumer owns the channel.
    private func receiveDelivery(_ state: amqp_connection_state_t, _ frame: myop_frame_t, now: ContinuousClock.Instant) throws -> Bool {
        var message = amqp_message_t()
        let status = myop_read_message(state, frame.channel, &message)
        guard status == 0 else { throw ConnectionFailure(description: "reading message failed: \(Self.statusText(status))") }
        defer { amqp_destroy_message(&message) }
        guard let consumer = consumers[frame.channel] else { return false }
        consumer.acks.delivered(frame.delivery_tag)
        guard consumer.active else {
            // On the wire before the cancel took effect: its subscription is gone and nobody would settle it, so it
            // would stay with this connection until it closes. Handed back for another consumer at once.
            if let nack = consumer.acks.settle(frame.delivery_tag, .requeue) { try send(nack, channel: frame.channel) }
            return true
        }
        var deliveryCount: Int64 = 0
        _ = myop_header_int(&message.properties, "x-delivery-count", &deliveryCount)
        let routingKey = withUnsafeBytes(of: frame.routing_key) { raw in
            String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
        let delivery = Delivery(
            tag: Delivery.Tag(generation: generation, channel: frame.channel, deliveryTag: frame.delivery_tag),
            body: Self.bytes(message.body), routingKey: routingKey,
            messageID: Self.string(myop_property_message_id(&message.properties)),
            type: Self.string(myop_property_type(&message.properties)),
            traceparent: Self.string(myop_header_string(&message.properties, "traceparent")),
            redelivered: frame.redelivered != 0, deliveryCount: Int(deliveryCount),
            deadLetterReason: Self.string(myop_header_string(&message.properties, "x-first-death-reason")))
        consumer.hold(delivery, now: now)
        return true
    }

    /// Sends due acks; `force` also sends every held one (closing).
    private func flushAcks(force: Bool = false) throws {
        let now = ContinuousClock.now
        for (channel, consumer) in consumers {
            for frame in consumer.acks.flush(now: now, force: force) { try send(frame, channel: channel) }
        }
    }

    private func send(_ frame: AckTracker.Frame, channel: UInt16) throws {
        guard let state else { return }
        let status: Int32
        switch frame {
        case .ack(let tag, let multiple): status = myop_basic_ack(state, channel, tag, multiple ? 1 : 0)
        case .nack(let tag, let requeue): status = myop_basic_nack(state, channel, tag, requeue ? 1 : 0)
        }
        guard status == 0 else { throw ConnectionFailure(description: "ack failed: \(Self.statusText(status))") }
    }

    // MARK: Teardown

    /// Drops the connection: waiting publishes fail, deliveries not yet acked will be redelivered by the broker.
    private func disconnect() {
        connection.shared.withLock { $0.connected = false }
        if let state {
            // A blocked connection is not read: the close handshake would only wait out the RPC timeout.
            if !blockedByBroker { amqp_connection_close(state, AMQP_REPLY_SUCCESS) }
            amqp_destroy_connection(state)
        }
        state = nil
        blockedByBroker = false
        headBegun = false
        headSent = 0
        waitingForRoom = false
        generation += 1
        let lost = AMQPError(.connectionLost, "the broker connection was lost before the publish was confirmed")
        for ticket in confirms.reset() { ticket.finish(.failure(lost)) }
        while let (_, ticket, _) = waitingPublishes.popFirst() { ticket.finish(.failure(lost)) }
        for consumer in consumers.values {
            consumer.reset()
            consumer.subscription.buffer.dropStale(generation: generation)
        }
    }

    /// Graceful close: acks already settled go out, then the connection closes; what is left fails.
    private func closeGracefully() {
        _ = try? processCommands()
        if state != nil {
            _ = try? flushAcks(force: true)
            _ = try? waitForConfirms(until: .now + .seconds(5))
        }
        disconnect()
        for consumer in consumers.values { consumer.subscription.buffer.finish() }
        let remaining = connection.shared.withLock { shared -> [AMQPConnection.Command] in
            defer { shared.commands.removeAll() }
            return shared.commands
        }
        for command in remaining {
            switch command {
            case .publish(_, let ticket, _): ticket.finish(.failure(AMQPError(.closed, "connection closed")))
            case .inspect(_, let continuation): continuation.resume(throwing: AMQPError(.closed, "connection closed"))
            case .cancel(_, let continuation), .close(let continuation): continuation.resume()
            case .subscribe, .settle: break
            }
        }
        logger.info("broker connection closed")
        closeRequest?.resume()
    }

    private func waitForConfirms(until deadline: ContinuousClock.Instant) throws {
        while confirms.unconfirmedCount > 0 || !waitingPublishes.isEmpty, ContinuousClock.now < deadline {
            // A batch half written when the socket was full is counted unconfirmed in full: the rest must go too.
            try sendWaitingPublishes()
            if try readFrames() == 0 { try waitForWork() }
        }
    }

    // MARK: C helpers

    private func check(_ status: Int32, _ what: String) throws {
        guard status == 0 else {
            let text = errorText.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw ConnectionFailure(description: "\(what): \(text) (\(status))")
        }
    }

    private static func statusText(_ status: Int32) -> String { String(cString: amqp_error_string2(status)) }

    private static func string(_ bytes: amqp_bytes_t) -> String? {
        guard bytes.len > 0, let pointer = bytes.bytes else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: bytes.len), as: UTF8.self)
    }

    private static func bytes(_ bytes: amqp_bytes_t) -> [UInt8] {
        guard bytes.len > 0, let pointer = bytes.bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: bytes.len))
    }

    /// The message's strings as C strings for the duration of `body` (nil stays NULL). Nested `withCString` lends each
    /// native string's own NUL-terminated storage (a small one is copied to the stack), where `strdup` cost six
    /// allocations per message.
    private static func withCStrings<R>(
        _ message: OutgoingMessage,
        _ body: (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> R
    ) -> R {
        message.exchange.withCString { exchange in
            message.routingKey.withCString { routingKey in
                message.messageID.withCString { messageID in
                    message.type.withCString { type in
                        withOptionalCString(message.correlationID) { correlationID in
                            withOptionalCString(message.traceparent) { traceparent in
                                body(exchange, routingKey, messageID, type, correlationID, traceparent)
                            }
                        }
                    }
                }
            }
        }
    }

    private static func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let string else { return body(nil) }
        return string.withCString(body)
    }
}

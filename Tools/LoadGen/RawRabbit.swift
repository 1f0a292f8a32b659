import CRabbitMQ
import Foundation

/// The baseline: rabbitmq-c called directly in a tight loop on one thread, as `notes/local-servers.md` measured
/// it (confirms pipelined up to 5,000 in flight, prefetch 500, ack `multiple` every 250). No Swift concurrency,
/// no commands, no copies: what the broker allows on this machine today.
enum RawRabbit {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// How long the benchmark's queues outlive their last consumer (`x-expires`). A run at the defaults takes a few
    /// minutes, and a quorum queue's lease is renewed by a consumer only, not by publishing nor, in RabbitMQ 3.10, by
    /// declaring it again: with one minute, a slow run lost its raw queue between two consume rounds.
    static let scratchLifetime: Duration = .seconds(30 * 60)

    /// A publish whose confirms stop for this long, or a consume whose deliveries do, has lost its queue or its broker;
    /// the loop gives up instead of waiting for ever.
    static let confirmStall: Duration = .seconds(60)

    static func connect(_ url: URL) throws -> amqp_connection_state_t {
        guard let state = amqp_new_connection(), let socket = amqp_tcp_socket_new(state) else { throw Failure(description: "no connection") }
        guard amqp_socket_open(socket, url.host ?? "127.0.0.1", Int32(url.port ?? 5672)) == 0 else { throw Failure(description: "cannot open socket") }
        var text = [CChar](repeating: 0, count: 256)
        guard myop_login(state, "/", 131_072, 30, url.user ?? "guest", url.password ?? "guest", "loadgen.raw", &text, text.count) == 0,
            myop_channel_open(state, 1, &text, text.count) == 0
        else { throw Failure(description: "login failed: \(message(text))") }
        return state
    }

    /// An exchange the raw loop publishes through: its name and type (`direct`, `topic`).
    struct Exchange {
        var name: String
        var type: String
    }

    /// Publishes `count` messages with pipelined confirms; returns seconds. By default to the default exchange, as
    /// the notes measured; with `exchange`, through that exchange with the queue bound by its name, as our services
    /// publish.
    static func publish(_ url: URL, queue: String, count: Int, body: [UInt8], through exchange: Exchange? = nil) throws -> Double {
        let state = try connect(url)
        defer { amqp_destroy_connection(state) }
        var text = [CChar](repeating: 0, count: 256)
        let lifetime = scratchLifetime.components.seconds * 1_000
        guard myop_queue_declare(state, 1, queue, 1, 0, nil, nil, lifetime, &text, text.count) == 0, myop_confirm_select(state, 1, &text, text.count) == 0 else {
            throw Failure(description: "declare failed: \(message(text))")
        }
        if let exchange {
            guard myop_exchange_declare(state, 1, exchange.name, exchange.type, &text, text.count) == 0,
                myop_queue_bind(state, 1, queue, exchange.name, queue, &text, text.count) == 0
            else { throw Failure(description: "bind failed: \(message(text))") }
        }
        let start = ContinuousClock.now
        var sent = 0
        var confirmed: UInt64 = 0
        var frame = myop_frame_t()
        var lastProgress = start
        while confirmed < UInt64(count) {
            while sent < count && UInt64(sent) - confirmed < 5_000 {
                let status = body.withUnsafeBytes { myop_publish(state, 1, exchange?.name ?? "", queue, "raw-\(sent)", "loadgen.raw", nil, nil, 0, $0.baseAddress, $0.count) }
                guard status == 0 else { throw Failure(description: "publish failed \(status)") }
                sent += 1
            }
            guard myop_next_frame(state, sent < count ? 0 : 100_000, &frame) == 0 else { throw Failure(description: "read failed") }
            if Int(frame.kind) == MYOP_FRAME_CONFIRM_ACK, frame.delivery_tag > confirmed {
                confirmed = frame.delivery_tag
                lastProgress = .now
            } else if ContinuousClock.now - lastProgress > confirmStall {
                throw Failure(description: "no confirm for \(confirmStall) with \(UInt64(sent) - confirmed) messages in flight")
            }
            amqp_maybe_release_buffers(state)
        }
        return (ContinuousClock.now - start).seconds
    }

    /// Consumes `count` messages with prefetch 500 and a multiple ack every 250; returns seconds.
    static func consume(_ url: URL, queue: String, count: Int) throws -> Double {
        let state = try connect(url)
        defer { amqp_destroy_connection(state) }
        var text = [CChar](repeating: 0, count: 256)
        guard myop_basic_qos(state, 1, 500, &text, text.count) == 0, myop_basic_consume(state, 1, queue, "raw", &text, text.count) == 0 else {
            throw Failure(description: "consume failed: \(message(text))")
        }
        let start = ContinuousClock.now
        var received = 0
        var frame = myop_frame_t()
        // Progress is looked at only between deliveries (a read that timed out, another frame): the clock stays out of
        // the measured loop.
        var progress = (received: 0, at: start)
        while received < count {
            guard myop_next_frame(state, 1_000_000, &frame) == 0 else { throw Failure(description: "read failed") }
            if Int(frame.kind) == MYOP_FRAME_CANCELLED { throw Failure(description: "the broker cancelled the consumer after \(received)") }
            guard Int(frame.kind) == MYOP_FRAME_DELIVER else {
                // A queue that was never filled, or a broker gone quiet, sends nothing more: give up as the publish does.
                let now = ContinuousClock.now
                if received != progress.received {
                    progress = (received, now)
                } else if now - progress.at > confirmStall {
                    throw Failure(description: "no delivery for \(confirmStall) after \(received)")
                }
                continue
            }
            var message = amqp_message_t()
            guard myop_read_message(state, 1, &message) == 0 else { throw Failure(description: "read message failed") }
            amqp_destroy_message(&message)
            received += 1
            if received % 250 == 0 || received == count { _ = myop_basic_ack(state, 1, frame.delivery_tag, 1) }
            amqp_maybe_release_buffers(state)
        }
        return (ContinuousClock.now - start).seconds
    }
}

private func message(_ text: [CChar]) -> String {
    text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

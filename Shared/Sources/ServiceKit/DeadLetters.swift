public import Contracts
import Foundation
public import Messaging

/// A service's parking queues (`<queue>.dead`) as its API shows them (ARCHITECTURE.md: dead letters are listed and
/// replayed through the owning service's API).
///
/// D-28 holds here too: a company sees and replays only the dead letters whose envelope names it. A message that is
/// no readable envelope names no company; it was refused because no handler can ever read it, so replaying it would
/// only park it again, and the operator reads it with `rabbitmqctl` or the management UI.
///
/// Reading a queue without removing from it is, in AMQP 0-9-1, taking and putting back: each read takes up to
/// `scanLimit` messages of each queue and requeues what it does not replay. Two reads at the same moment each see
/// only what the other did not hold. A replay publishes a copy straight to the queue the message died in, waits for
/// the broker's confirm, and only then removes the parked one: a crash in between leaves both, and the consumer's
/// inbox applies the event once.
///
/// Every read returns the parked messages to their quorum queue, which counts each return. RabbitMQ 3.x sets no
/// delivery limit on the parking queues (we declare none), so nothing is lost; RabbitMQ 4.x gives every quorum queue
/// a default limit of 20 and would drop a letter read that often, so a 4.x deployment gives them an unlimited one
/// (README.md, the policy `delivery-limit: -1` on `\.dead$`).
public struct DeadLetters: Sendable {
    /// One parked event, as a company sees it.
    public struct Letter: Sendable, Hashable {
        public var queue: String
        public var header: EnvelopeHeader
        /// Why the broker parked it: `delivery_limit` (its handler kept failing) or `rejected` (its handler refused it).
        public var reason: String?
        /// The envelope as it was published (JSON).
        public var body: [UInt8]
    }

    public struct Listing: Sendable, Hashable {
        public var letters: [Letter]
        /// Parked messages read to find them, of every company.
        public var scanned: Int
    }

    public struct Replay: Sendable, Hashable {
        public var replayed: [EventID]
        /// Asked for, but not among the caller's dead letters (or beyond the scan).
        public var notFound: [EventID]
    }

    let connection: AMQPConnection
    public let queues: [QueueSpec]
    /// Parked messages of one queue that a request reads at most.
    public let scanLimit: Int

    public init(connection: AMQPConnection, queues: [QueueSpec], scanLimit: Int = 1_000) {
        self.connection = connection
        self.queues = queues
        self.scanLimit = scanLimit
    }

    /// Whether `name` is one of this service's queues (the `queue` filter of both operations).
    public func knows(queue name: String) -> Bool { queues.contains { $0.name == name } }

    /// The company's dead letters, up to `limit`, of every queue or of the one named.
    public func list(company: CompanyID, queue: String? = nil, limit: Int) async throws -> Listing {
        var listing = Listing(letters: [], scanned: 0)
        for spec in queues where queue == nil || spec.name == queue {
            let taken = try await connection.take(from: spec.deadLetterQueue, max: scanLimit)
            connection.settleTaken(taken.map { ($0, .requeue) })
            listing.scanned += taken.count
            for delivery in taken where listing.letters.count < limit {
                if let letter = Self.letter(delivery, queue: spec.name), letter.header.companyID == company {
                    listing.letters.append(letter)
                }
            }
        }
        return listing
    }

    /// Puts the company's dead letters with these ids back on the queues they died in; the rest stay parked.
    public func replay(company: CompanyID, eventIDs: Set<EventID>, queue: String? = nil) async throws -> Replay {
        var replayed: Set<EventID> = []
        for spec in queues where queue == nil || spec.name == queue {
            let taken = try await connection.take(from: spec.deadLetterQueue, max: scanLimit)
            var chosen: [(Delivery, EncodedEnvelope)] = []
            var others: [Delivery] = []
            for delivery in taken {
                if let envelope = try? EncodedEnvelope(body: delivery.body), envelope.header.companyID == company,
                    eventIDs.contains(envelope.header.id)
                {
                    chosen.append((delivery, envelope))
                } else {
                    others.append(delivery)
                }
            }
            do {
                // Straight to the queue through the default exchange: only the consumer it failed for sees it again,
                // with a fresh delivery count.
                try await connection.publish(
                    chosen.map { _, envelope in
                        var message = OutgoingMessage(envelope)
                        message.exchange = ""
                        message.routingKey = spec.name
                        return message
                    })
            } catch {
                connection.settleTaken(taken.map { ($0, .requeue) })
                throw error
            }
            connection.settleTaken(chosen.map { ($0.0, .ack) } + others.map { ($0, .requeue) })
            replayed.formUnion(chosen.map(\.1.header.id))
        }
        let order = eventIDs.sorted { $0.description < $1.description }
        return Replay(replayed: order.filter(replayed.contains), notFound: order.filter { !replayed.contains($0) })
    }

    static func letter(_ delivery: Delivery, queue: String) -> Letter? {
        guard let envelope = try? EncodedEnvelope(body: delivery.body) else { return nil }
        return Letter(queue: queue, header: envelope.header, reason: delivery.deadLetterReason, body: delivery.body)
    }
}

import Contracts
import Foundation
import Hummingbird
public import Messaging
public import Storage

/// `GET /v1/dead-letters` and `POST /v1/dead-letters/replay` of every service (`DeadLetters`). D-27 names no
/// permission for them, so they go to the roles that may do everything: owner and admin.
public struct DeadLetterRoutes: Sendable {
    static let roles: Set<Role> = [.owner, .admin]
    static let defaultLimit = 50
    static let maximumLimit = 500
    static let maximumReplay = 100

    let deadLetters: DeadLetters
    /// The service's queues: a `queue` filter must name one of them.
    let queues: [String]

    public init(deadLetters: DeadLetters, queues: [QueueSpec]) {
        self.deadLetters = deadLetters
        self.queues = queues.map(\.name)
    }

    func add(to group: RouterGroup<AppRequestContext>) {
        group.get("dead-letters") { request, context -> Page<Item> in
            let identity = try context.require("dead_letters.read", roles: Self.roles)
            let query = request.uri.queryParameters
            let queue = try queueFilter(query["queue"].map(String.init), code: "request.query_invalid")
            let limit = try Self.number(query["limit"].map(String.init), name: "limit", in: 1...Self.maximumLimit) ?? Self.defaultLimit
            let before = try Self.number(query["before"].map(String.init), name: "before", in: 1...Int.max).map(Int64.init)
            let letters = try await deadLetters.list(company: identity.companyID, queue: queue, before: before, limit: limit)
            return Page(items: letters.map(Item.init), next: letters.count == limit ? letters.last.map { String($0.id) } : nil)
        }
        group.post("dead-letters/replay") { request, context -> ReplayResponse in
            let identity = try context.require("dead_letters.replay", roles: Self.roles)
            let body = try await request.decode(as: ReplayRequest.self, context: context)
            let queue = try queueFilter(body.queue, code: "request.field_invalid")
            guard (1...Self.maximumReplay).contains(body.eventIDs.count) else {
                throw APIError.badRequest("request.field_invalid", "event_ids lists 1 to \(Self.maximumReplay) event ids.", field: "event_ids")
            }
            var ids: Set<EventID> = []
            for (index, text) in body.eventIDs.enumerated() {
                guard let id = EventID(text) else {
                    throw APIError.badRequest("request.field_invalid", "event_ids[\(index)] is not a UUID.", field: "event_ids[\(index)]")
                }
                ids.insert(id)
            }
            let replay: DeadLetters.Replay
            do {
                replay = try await deadLetters.replay(company: identity.companyID, eventIDs: ids, queue: queue)
            } catch let error as AMQPError {
                // Nothing was forgotten: the transaction rolled back and the letters are still kept.
                throw APIError.unavailable("broker.unavailable", "The message broker did not take the replay (\(error.code)); the letters are kept, try again shortly.")
            } catch let error as DeadLetters.QueueMissing {
                throw APIError.unavailable("broker.queue_missing", "The queue \(error.queue) does not exist on the broker right now; the letters are kept.")
            }
            return ReplayResponse(replayed: replay.replayed.map(\.description), notFound: replay.notFound.map(\.description))
        }
    }

    private func queueFilter(_ name: String?, code: String) throws -> String? {
        guard let name else { return nil }
        guard queues.contains(name) else {
            throw APIError.badRequest(code, "queue must be one of this service's queues: \(queues.joined(separator: ", ")).", field: "queue")
        }
        return name
    }

    private static func number(_ text: String?, name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text), range.contains(value) else {
            let bounds = range.upperBound == Int.max ? "a positive whole number" : "a whole number from \(range.lowerBound) to \(range.upperBound)"
            throw APIError.badRequest("request.query_invalid", "\(name) must be \(bounds).", field: name)
        }
        return value
    }

    struct Item: Codable, Sendable {
        var id: String
        var queue: String
        var eventID: String
        var type: String
        var occurredAt: Date
        var correlationID: String?
        var reason: String?
        var parkedAt: Date
        /// The envelope as published, as JSON text.
        var envelope: String

        init(_ letter: DeadLetters.Letter) {
            id = String(letter.id)
            queue = letter.queue
            eventID = letter.eventID.description
            type = letter.eventType
            occurredAt = letter.occurredAt
            correlationID = letter.correlationID
            reason = letter.reason
            parkedAt = letter.parkedAt
            envelope = String(decoding: letter.body, as: UTF8.self)
        }

        enum CodingKeys: String, CodingKey {
            case id, queue, type, reason, envelope
            case eventID = "event_id"
            case occurredAt = "occurred_at"
            case correlationID = "correlation_id"
            case parkedAt = "parked_at"
        }
    }

    struct ReplayRequest: Decodable {
        var eventIDs: [String]
        var queue: String?

        enum CodingKeys: String, CodingKey {
            case queue
            case eventIDs = "event_ids"
        }
    }

    struct ReplayResponse: ResponseCodable {
        var replayed: [String]
        var notFound: [String]

        enum CodingKeys: String, CodingKey {
            case replayed
            case notFound = "not_found"
        }
    }
}

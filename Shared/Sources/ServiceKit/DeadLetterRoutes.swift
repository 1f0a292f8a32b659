import Contracts
import Foundation
public import Hummingbird
import Messaging

/// `GET /v1/dead-letters` and `POST /v1/dead-letters/replay` of every service (`DeadLetters`). D-27 leaves the
/// permission to the roles that may do everything: owner and admin.
extension DeadLetters {
    static let roles: Set<Role> = [.owner, .admin]
    static let defaultLimit = 100
    static let maximumLimit = 1_000
    static let maximumReplay = 100

    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("dead-letters") { request, context -> ListResponse in
            let identity = try context.require("dead_letters.read", roles: Self.roles)
            let query = request.uri.queryParameters
            let queue = try queueFilter(query["queue"].map(String.init))
            var limit = Self.defaultLimit
            if let text = query["limit"] {
                guard let value = Int(text), (1...Self.maximumLimit).contains(value) else {
                    throw APIError.badRequest("request.query_invalid", "The limit is a number from 1 to \(Self.maximumLimit).", field: "limit")
                }
                limit = value
            }
            let listing = try await brokerCall { try await list(company: identity.companyID, queue: queue, limit: limit) }
            return ListResponse(data: listing.letters.map(Item.init), scanned: listing.scanned)
        }
        group.post("dead-letters/replay") { request, context -> ReplayResponse in
            let identity = try context.require("dead_letters.replay", roles: Self.roles)
            let body = try await request.decode(as: ReplayRequest.self, context: context)
            let queue = try queueFilter(body.queue)
            guard (1...Self.maximumReplay).contains(body.eventIDs.count) else {
                throw APIError.badRequest(
                    "request.field_invalid", "event_ids lists 1 to \(Self.maximumReplay) event ids.", field: "event_ids")
            }
            var ids: Set<EventID> = []
            for (index, text) in body.eventIDs.enumerated() {
                guard let id = EventID(text) else {
                    throw APIError.badRequest("request.field_invalid", "event_ids[\(index)] is not a UUID.", field: "event_ids[\(index)]")
                }
                ids.insert(id)
            }
            let replay = try await brokerCall { try await self.replay(company: identity.companyID, eventIDs: ids, queue: queue) }
            return ReplayResponse(replayed: replay.replayed.map(\.description), notFound: replay.notFound.map(\.description))
        }
    }

    private func queueFilter(_ name: String?) throws -> String? {
        guard let name else { return nil }
        guard knows(queue: name) else {
            let names = queues.map(\.name).joined(separator: ", ")
            throw APIError.badRequest("request.field_invalid", "queue must be one of this service's queues: \(names).", field: "queue")
        }
        return name
    }

    /// The broker unreachable is a 503 the caller can retry, not a 500.
    private func brokerCall<Value>(_ work: () async throws -> Value) async throws -> Value {
        do {
            return try await work()
        } catch let error as AMQPError {
            throw APIError.unavailable("broker.unavailable", "The message broker is not reachable right now (\(error.code)); try again shortly.")
        }
    }

    struct ListResponse: ResponseCodable {
        var data: [Item]
        var scanned: Int
    }

    struct Item: Codable {
        var queue: String
        var eventID: String
        var type: String
        var version: Int
        var occurredAt: Date
        var correlationID: String?
        var reason: String?
        /// The envelope as published, as JSON text.
        var envelope: String

        init(_ letter: Letter) {
            queue = letter.queue
            eventID = letter.header.id.description
            type = letter.header.type.rawValue
            version = letter.header.version
            occurredAt = letter.header.occurredAt
            correlationID = letter.header.correlationID
            reason = letter.reason
            envelope = String(decoding: letter.body, as: UTF8.self)
        }

        enum CodingKeys: String, CodingKey {
            case queue, type, version, reason, envelope
            case eventID = "event_id"
            case occurredAt = "occurred_at"
            case correlationID = "correlation_id"
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

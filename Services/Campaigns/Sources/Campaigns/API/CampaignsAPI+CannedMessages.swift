import Contracts
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

/// CA-52: the company's shared library of canned messages (owners, admins and managers keep it; agents search and
/// send them), and CA-53: each number's Greeting and Away replies chosen from it.
extension CampaignsAPI {
    struct CannedMessageRequest: Decodable {
        var shortcut: String
        var text: String
    }

    struct CannedMessageView: ResponseCodable {
        var id: UUID
        var shortcut: String
        var text: String
        var createdAt: Date
        var updatedAt: Date

        init(_ entry: CannedMessageStore.Entry) {
            id = entry.id
            shortcut = entry.shortcut
            text = entry.text
            createdAt = entry.createdAt
            updatedAt = entry.updatedAt
        }

        enum CodingKeys: String, CodingKey {
            case id, shortcut, text
            case createdAt = "created_at"
            case updatedAt = "updated_at"
        }
    }

    struct AutoReplyRequest: Decodable {
        var greetingID: UUID?
        var awayID: UUID?
        /// Absent: unchanged. A chatbot integration sets it by itself, apart from the replies people choose.
        var chatbotActive: Bool?

        enum CodingKeys: String, CodingKey {
            case greetingID = "greeting_id"
            case awayID = "away_id"
            case chatbotActive = "chatbot_active"
        }
    }

    struct AutoReplyView: ResponseCodable {
        var numberID: UUID
        var greetingID: UUID?
        var awayID: UUID?
        var chatbotActive: Bool
        /// Whether a reply can go out now: one is set, business hours are set, and no chatbot answers the number.
        var active: Bool

        init(number: UUID, reply: AutoReply, hasHours: Bool) {
            numberID = number
            greetingID = reply.greetingID
            awayID = reply.awayID
            chatbotActive = reply.chatbotActive
            active = hasHours && !reply.chatbotActive && (reply.greetingID != nil || reply.awayID != nil)
        }

        enum CodingKeys: String, CodingKey {
            case active
            case numberID = "number_id"
            case greetingID = "greeting_id"
            case awayID = "away_id"
            case chatbotActive = "chatbot_active"
        }
    }

    static let cannedPage = 200

    @Sendable func cannedMessages(_ request: Request, context: AppRequestContext) async throws -> Page<CannedMessageView> {
        let company = try context.require("whatsapp.canned.read", roles: Self.messagingRoles).companyID
        let query = request.uri.queryParameters
        // What an agent types: "/gre" finds the shortcut greeting, "/" alone the whole library.
        var search = query["search"].map(String.init)
        if let text = search, text.hasPrefix("/") { search = String(text.dropFirst()) }
        if search?.isEmpty == true { search = nil }
        if let search {
            try TextRules.check(search, field: "search", max: 100, code: "request.query_invalid")
        }
        let entries = try await database.withTransaction { transaction in
            try await CannedMessageStore.list(
                company: company, search: search, after: query["after"].map(String.init), limit: Self.cannedPage, in: transaction)
        }
        return Page(items: entries.map(CannedMessageView.init), next: entries.count == Self.cannedPage ? entries.last?.shortcut : nil)
    }

    @Sendable func cannedMessage(_ request: Request, context: AppRequestContext) async throws -> CannedMessageView {
        let company = try context.require("whatsapp.canned.read", roles: Self.messagingRoles).companyID
        let id = try Self.uuid(context)
        guard let entry = try await database.withTransaction({ try await CannedMessageStore.find(id, company: company, in: $0) }) else {
            throw APIError.notFound("canned_message")
        }
        return CannedMessageView(entry)
    }

    @Sendable func createCannedMessage(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<CannedMessageView> {
        let company = try context.require("whatsapp.canned.manage", roles: Self.campaignRoles).companyID
        let (shortcut, text) = try Self.checked(try await request.decode(as: CannedMessageRequest.self, context: context))
        let entry = try await Self.shortcutUnique(shortcut) {
            try await database.withTransaction { transaction in
                try await CannedMessageStore.insert(id: UUID.random(), company: company, shortcut: shortcut, text: text, in: transaction)
            }
        }
        guard let entry else { throw Self.shortcutTaken(shortcut) }
        return EditedResponse(status: .created, response: CannedMessageView(entry))
    }

    @Sendable func updateCannedMessage(_ request: Request, context: AppRequestContext) async throws -> CannedMessageView {
        let company = try context.require("whatsapp.canned.manage", roles: Self.campaignRoles).companyID
        let id = try Self.uuid(context)
        let (shortcut, text) = try Self.checked(try await request.decode(as: CannedMessageRequest.self, context: context))
        let update = try await Self.shortcutUnique(shortcut) {
            try await database.withTransaction { transaction in
                try await CannedMessageStore.update(id, company: company, shortcut: shortcut, text: text, in: transaction)
            }
        }
        switch update {
        case .updated(let entry): return CannedMessageView(entry)
        case .missing: throw APIError.notFound("canned_message")
        case .shortcutTaken: throw Self.shortcutTaken(shortcut)
        }
    }

    @Sendable func deleteCannedMessage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try context.require("whatsapp.canned.manage", roles: Self.campaignRoles).companyID
        let id = try Self.uuid(context)
        let deletion = try await database.withTransaction { transaction in
            try await CannedMessageStore.delete(id, company: company, in: transaction)
        }
        switch deletion {
        case .deleted: return Response(status: .noContent)
        case .missing: throw APIError.notFound("canned_message")
        case .inUse:
            throw APIError.conflict(
                "canned_message.in_use", "A number's automatic reply uses this message; choose another reply first (CA-53).", field: "id")
        }
    }

    @Sendable func autoReply(_ request: Request, context: AppRequestContext) async throws -> AutoReplyView {
        let company = try context.require("whatsapp.configure", roles: Self.adminRoles).companyID
        let id = try Self.uuid(context)
        return try await database.withTransaction { transaction in
            guard let number = try await NumberStore.find(id, company: company, in: transaction) else { throw APIError.notFound("whatsapp_number") }
            let reply = try await AutoReplyStore.find(number: number.id, company: company, in: transaction)
            return AutoReplyView(number: number.id, reply: reply, hasHours: !number.businessHours.isEmpty)
        }
    }

    /// CA-53: the whole setting at once; an absent reply is none. Business hours come first, since they decide
    /// which reply a customer gets.
    @Sendable func setAutoReply(_ request: Request, context: AppRequestContext) async throws -> AutoReplyView {
        let company = try context.require("whatsapp.configure", roles: Self.adminRoles).companyID
        let id = try Self.uuid(context)
        let body = try await request.decode(as: AutoReplyRequest.self, context: context)
        return try await database.withTransaction { transaction in
            guard let number = try await NumberStore.find(id, company: company, in: transaction) else { throw APIError.notFound("whatsapp_number") }
            if number.businessHours.isEmpty, body.greetingID != nil || body.awayID != nil {
                throw APIError.unprocessable(
                    "auto_reply.business_hours_missing",
                    "Set the number's business hours first: they decide whether a customer gets the Greeting or the Away reply (CA-53).",
                    field: body.greetingID != nil ? "greeting_id" : "away_id")
            }
            switch try await AutoReplyStore.save(
                greetingID: body.greetingID, awayID: body.awayID, chatbotActive: body.chatbotActive, number: number.id, company: company,
                in: transaction)
            {
            case .saved(let reply):
                return AutoReplyView(number: number.id, reply: reply, hasHours: !number.businessHours.isEmpty)
            case .unknown(let id):
                throw APIError.unprocessable(
                    "canned_message.unknown", "No canned message of your company has this id.", field: id == body.greetingID ? "greeting_id" : "away_id")
            }
        }
    }

    private static func checked(_ body: CannedMessageRequest) throws -> (shortcut: String, text: String) {
        let shortcut = try CannedMessage.shortcut(body.shortcut).mapError(\.apiError).get()
        let text = try CannedMessage.text(body.text).mapError(\.apiError).get()
        return (shortcut, text)
    }

    /// Two requests taking one shortcut at once: the second meets the unique key, and gets the same 409.
    private static func shortcutUnique<T: Sendable>(_ shortcut: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw shortcutTaken(shortcut)
        }
    }

    private static func shortcutTaken(_ shortcut: String) -> APIError {
        APIError.conflict("canned_message.shortcut_taken", "Another canned message of your company has the shortcut /\(shortcut).", field: "shortcut")
    }
}

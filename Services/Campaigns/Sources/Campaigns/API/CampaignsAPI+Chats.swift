import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

/// CA-49, CA-50, CA-58: the Live Chat inbox of a WhatsApp number. Every agent sees every chat; an open chat becomes
/// the chat of the first agent who answers it (`POST /v1/whatsapp/messages`), and from then on only they, or a
/// manager, admin or owner, reply. Supervisors reassign chats; the owner or a supervisor resolves them.
extension CampaignsAPI {
    struct ChatView: ResponseCodable {
        var contact: String
        var contactName: String?
        var state: LiveChat.State
        var assignee: UserID?
        var lastMessageAt: Date
        var windowExpiresAt: Date
        var resolvedAt: Date?
        /// CA-57: where the contact's first message came from.
        var firstMessage: ChatStore.FirstMessageTag?

        init(_ entry: ChatStore.Entry, now: Date) {
            contact = entry.contact
            contactName = entry.name
            state = entry.chat.state(now: now)
            assignee = entry.chat.assignee
            lastMessageAt = entry.chat.lastInbound
            windowExpiresAt = ServiceWindow.expiry(lastInbound: entry.chat.lastInbound)
            resolvedAt = entry.chat.resolvedAt
            firstMessage = entry.firstMessage
        }

        enum CodingKeys: String, CodingKey {
            case contact, state, assignee
            case contactName = "contact_name"
            case lastMessageAt = "last_message_at"
            case windowExpiresAt = "window_expires_at"
            case resolvedAt = "resolved_at"
            case firstMessage = "first_message"
        }
    }

    struct ChatEventView: ResponseCodable {
        var kind: ChatEventKind
        var at: Date
        var actor: UserID?
        var assignee: UserID?

        init(_ event: ChatStore.Event) {
            kind = event.kind
            at = event.at
            actor = event.actor
            assignee = event.assignee
        }
    }

    struct JourneyView: ResponseCodable {
        var items: [ChatEventView]
    }

    /// `user_id` is required: a user's id gives them the chat, null returns it to the open queue.
    struct AssigneeRequest: Decodable {
        var userID: UserID?

        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            guard container.contains(.userID) else {
                throw DecodingError.keyNotFound(
                    CodingKeys.userID, .init(codingPath: [], debugDescription: "user_id is the new owner's id, or null for the open queue"))
            }
            userID = try container.decodeIfPresent(UserID.self, forKey: .userID)
        }
    }

    /// D-27 roles as Live Chat sees them: agents answer open chats and their own; managers, admins and owners any.
    static func chatActor(_ identity: Identity) -> LiveChat.Actor {
        identity.role == .agent ? .agent(identity.userID) : .supervisor(identity.userID)
    }

    static let chatPage = 50

    /// The number's chats, the latest message first. `state` (open, assigned, closed), `assignee` (a user id, or `me`),
    /// `first_message` (the contact's First Message source, CA-57), `limit` (1 to 200) and `after` (the `next` of the
    /// page before).
    @Sendable func chats(_ request: Request, context: AppRequestContext) async throws -> Page<ChatView> {
        let identity = try context.require("whatsapp.chats.read", roles: Self.messagingRoles)
        let numberID = try Self.uuid(context)
        let query = request.uri.queryParameters
        var state: LiveChat.State?
        if let text = query["state"].map(String.init) {
            guard let given = LiveChat.State(rawValue: text) else {
                throw APIError.badRequest("request.query_invalid", "state is open, assigned or closed.", field: "state")
            }
            state = given
        }
        var assignee: UserID?
        if let text = query["assignee"].map(String.init) {
            if text == "me" {
                assignee = identity.userID
            } else {
                guard let id = UserID(text) else {
                    throw APIError.badRequest("request.query_invalid", "assignee is a user's id, or me.", field: "assignee")
                }
                assignee = id
            }
        }
        let limit = try Self.pageLimit(request, standard: Self.chatPage, maximum: 200)
        var source: FirstMessage.Source?
        if let text = query["first_message"].map(String.init) {
            guard let given = FirstMessage.Source(rawValue: text) else {
                throw APIError.badRequest("request.query_invalid", "first_message is ad, post, link, qr or direct.", field: "first_message")
            }
            source = given
        }
        let cursor: ChatStore.Cursor? = try Self.pageCursor(request, "after")
        let now = Date()
        let (entries, last) = try await database.withTransaction { transaction in
            guard try await NumberStore.find(numberID, company: identity.companyID, in: transaction) != nil else {
                throw APIError.notFound("whatsapp_number")
            }
            return try await ChatStore.list(
                number: numberID, company: identity.companyID, state: state, assignee: assignee, source: source, after: cursor, limit: limit, now: now, in: transaction)
        }
        return Page(items: entries.map { ChatView($0, now: now) }, next: entries.count == limit ? last?.text : nil)
    }

    @Sendable func chat(_ request: Request, context: AppRequestContext) async throws -> ChatView {
        let identity = try context.require("whatsapp.chats.read", roles: Self.messagingRoles)
        let (numberID, contact) = try Self.chatPath(context)
        let entry = try await database.withTransaction { transaction in
            try await Self.findChat(number: numberID, contact: contact, company: identity.companyID, locking: false, in: transaction)
        }
        return ChatView(entry, now: Date())
    }

    /// CA-50: a manager, admin or owner gives the chat to a user, or returns it to the open queue (`user_id` null). A
    /// resolved chat given to someone is open to replies again. The id is not checked against the company's users,
    /// which this service does not hold: a wrong one leaves the chat to supervisors until they reassign it.
    @Sendable func assignChat(_ request: Request, context: AppRequestContext) async throws -> ChatView {
        let identity = try context.require("whatsapp.chats.assign", roles: Self.campaignRoles)
        let (numberID, contact) = try Self.chatPath(context)
        let body = try await request.decode(as: AssigneeRequest.self, context: context)
        let now = Date()
        let entry = try await database.withTransaction { transaction in
            var entry = try await Self.findChat(number: numberID, contact: contact, company: identity.companyID, locking: true, in: transaction)
            guard LiveChat.mayReassign(Self.chatActor(identity)) else {
                throw APIError.accessDenied(identity.role, lacks: "whatsapp.chats.assign")
            }
            guard ServiceWindow.isOpen(lastInbound: entry.chat.lastInbound, now: now) else {
                throw APIError.conflict(
                    "chat.inactive", "The customer has not written in the last 24 hours: the chat opens again when they do (CA-49).", field: "contact")
            }
            guard entry.chat.assignee != body.userID || entry.chat.resolvedAt != nil else { return entry }
            try await ChatStore.assign(number: numberID, company: identity.companyID, contact: contact, to: body.userID, in: transaction)
            try await ChatStore.record(
                body.userID == nil ? .unassigned : .reassigned, number: numberID, company: identity.companyID, contact: contact,
                actor: identity.userID, assignee: body.userID, at: now, in: transaction)
            entry.chat.assignee = body.userID
            entry.chat.resolvedAt = nil
            return entry
        }
        return ChatView(entry, now: now)
    }

    /// CA-49: the chat's owner or a supervisor resolves it (any agent an open one): it takes no more replies until the
    /// customer writes again. Resolving a closed chat changes nothing.
    @Sendable func resolveChat(_ request: Request, context: AppRequestContext) async throws -> ChatView {
        let identity = try context.require("whatsapp.chats.resolve", roles: Self.messagingRoles)
        let (numberID, contact) = try Self.chatPath(context)
        let actor = Self.chatActor(identity)
        let now = Date()
        let entry = try await database.withTransaction { transaction in
            var entry = try await Self.findChat(number: numberID, contact: contact, company: identity.companyID, locking: true, in: transaction)
            guard entry.chat.state(now: now) != .closed else { return entry }
            guard entry.chat.mayResolve(by: actor) else {
                throw APIError.forbidden(
                    "chat.assigned_elsewhere", "Another agent owns this chat: only they, or a manager, admin or owner, may resolve it (CA-50).",
                    field: "contact")
            }
            try await ChatStore.resolve(number: numberID, company: identity.companyID, contact: contact, at: now, in: transaction)
            try await ChatStore.record(
                .resolved, number: numberID, company: identity.companyID, contact: contact, actor: identity.userID, assignee: entry.chat.assignee,
                at: now, in: transaction)
            entry.chat.resolvedAt = now
            return entry
        }
        return ChatView(entry, now: now)
    }

    /// CA-58: the chat's journey, oldest first.
    @Sendable func chatJourney(_ request: Request, context: AppRequestContext) async throws -> JourneyView {
        let identity = try context.require("whatsapp.chats.read", roles: Self.messagingRoles)
        let (numberID, contact) = try Self.chatPath(context)
        let events = try await database.withTransaction { transaction in
            _ = try await Self.findChat(number: numberID, contact: contact, company: identity.companyID, locking: false, in: transaction)
            return try await ChatStore.journey(number: numberID, company: identity.companyID, contact: contact, in: transaction)
        }
        return JourneyView(items: events.map(ChatEventView.init))
    }

    /// `whatsapp/numbers/:id/chats/:contact`: the number's id and the customer's number.
    private static func chatPath(_ context: AppRequestContext) throws -> (UUID, PhoneNumber) {
        (try uuid(context), try contactPath(context))
    }

    /// A `:contact` path parameter: the customer's number, E.164 (`+` optional, or percent-encoded).
    static func contactPath(_ context: AppRequestContext) throws -> PhoneNumber {
        try TextRules.phone(context.parameters.get("contact")?.removingPercentEncoding ?? "", field: "contact")
    }

    /// The chat as the API shows it, with the contact's First Message tag.
    private static func findChat(
        number: UUID, contact: PhoneNumber, company: CompanyID, locking: Bool, in transaction: Transaction
    ) async throws -> ChatStore.Entry {
        guard try await NumberStore.find(number, company: company, in: transaction) != nil else { throw APIError.notFound("whatsapp_number") }
        guard var entry = try await ChatStore.find(number: number, company: company, contact: contact, locking: locking, in: transaction) else {
            throw APIError(.notFound, code: "chat.not_found", message: "This customer has not written to this number.", field: "contact")
        }
        entry.firstMessage = try await FirstMessageStore.find(company: company, contact: contact, in: transaction)
            .map { ChatStore.FirstMessageTag(source: $0.tag.source, label: $0.tag.label) }
        return entry
    }
}

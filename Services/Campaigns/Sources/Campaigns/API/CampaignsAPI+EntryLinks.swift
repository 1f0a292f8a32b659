import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

/// CA-57: entry links (and their QR codes) that open a chat with a number, and the First Message tag each contact
/// gets from their first message: the ad or post they tapped, the entry link they came through, or direct.
extension CampaignsAPI {
    struct EntryLinkRequest: Decodable {
        var numberID: UUID
        var name: String
        var kind: EntryLink.Kind?
        var text: String?

        enum CodingKeys: String, CodingKey {
            case name, kind, text
            case numberID = "number_id"
        }
    }

    struct EntryLinkView: ResponseCodable {
        var id: UUID
        var numberID: UUID
        var name: String
        var kind: EntryLink.Kind
        var code: String
        var text: String
        /// WhatsApp's click-to-chat link, the message prefilled with the text and the code; a QR code encodes it.
        var url: String
        var createdAt: Date

        init(_ entry: EntryLinkStore.Entry) {
            id = entry.id
            numberID = entry.numberID
            name = entry.name
            kind = entry.kind
            code = entry.code
            text = entry.text
            url = EntryLink.url(digits: entry.displayNumber, text: entry.text, code: entry.code)
            createdAt = entry.createdAt
        }

        enum CodingKeys: String, CodingKey {
            case id, name, kind, code, text, url
            case numberID = "number_id"
            case createdAt = "created_at"
        }
    }

    struct FirstMessageView: ResponseCodable {
        var contact: String
        var numberID: UUID
        var source: FirstMessage.Source
        var label: String?
        var linkID: UUID?
        var adID: String?
        var adURL: String?
        /// Meta's click id of the ad (`ctwa_clid`), for conversion reports to Meta.
        var clickID: String?
        var taggedAt: Date
        var editedAt: Date?
        var editedBy: UserID?

        init(_ entry: FirstMessageStore.Entry) {
            contact = entry.contact
            numberID = entry.numberID
            source = entry.tag.source
            label = entry.tag.label
            linkID = entry.tag.linkID
            adID = entry.tag.adID
            adURL = entry.tag.adURL
            clickID = entry.tag.clickID
            taggedAt = entry.taggedAt
            editedAt = entry.editedAt
            editedBy = entry.editedBy
        }

        enum CodingKeys: String, CodingKey {
            case contact, source, label
            case numberID = "number_id"
            case linkID = "link_id"
            case adID = "ad_id"
            case adURL = "ad_url"
            case clickID = "click_id"
            case taggedAt = "tagged_at"
            case editedAt = "edited_at"
            case editedBy = "edited_by"
        }
    }

    struct FirstMessageEdit: Decodable {
        var source: FirstMessage.Source
        var label: String?
    }

    @Sendable func createEntryLink(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<EntryLinkView> {
        let company = try context.require("whatsapp.entry_links.manage", roles: Self.campaignRoles).companyID
        let body = try await request.decode(as: EntryLinkRequest.self, context: context)
        let name = try TextRules.trimmed(body.name, field: "name", max: 100, code: "entry_link.name.invalid")
        guard !name.contains("\n") else {
            throw APIError.unprocessable("entry_link.name.invalid", "The name is one line.", field: "name")
        }
        var text = ""
        if let given = body.text, !given.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            text = try TextRules.trimmed(given, field: "text", max: 500, code: "entry_link.text.invalid")
        }
        let kind = body.kind ?? .link
        let entry = try await database.withTransaction { transaction -> EntryLinkStore.Entry in
            guard let number = try await NumberStore.find(body.numberID, company: company, in: transaction) else {
                throw APIError.unprocessable("whatsapp_number.unknown", "No WhatsApp number of your company has this id.", field: "number_id")
            }
            // 31^6 codes: a clash is rare, and another draw settles it.
            for _ in 0..<8 {
                if let entry = try await EntryLinkStore.insert(
                    id: UUID.random(), company: company, number: number.id, code: EntryLink.newCode(), name: name, kind: kind, text: text,
                    in: transaction)
                {
                    return entry
                }
            }
            throw APIError.unavailable("entry_link.code_unavailable", "No free code was found for the link; try again.")
        }
        return EditedResponse(status: .created, response: EntryLinkView(entry))
    }

    static let entryLinkPage = 100

    /// The company's links, the newest first: `limit` (1 to 500) and `before` (the `next` of the page before).
    @Sendable func entryLinks(_ request: Request, context: AppRequestContext) async throws -> Page<EntryLinkView> {
        let company = try context.require("whatsapp.entry_links.read", roles: Self.campaignRoles).companyID
        let limit = try Self.pageLimit(request, standard: Self.entryLinkPage, maximum: 500)
        let cursor: EntryLinkStore.Cursor? = try Self.pageCursor(request, "before")
        let (entries, last) = try await database.withTransaction {
            try await EntryLinkStore.list(company: company, before: cursor, limit: limit, in: $0)
        }
        return Page(items: entries.map(EntryLinkView.init), next: entries.count == limit ? last?.text : nil)
    }

    /// The link stops tagging; contacts it tagged keep their tags.
    @Sendable func deleteEntryLink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try context.require("whatsapp.entry_links.manage", roles: Self.campaignRoles).companyID
        let id = try Self.uuid(context)
        guard try await database.withTransaction({ try await EntryLinkStore.delete(id, company: company, in: $0) }) else {
            throw APIError.notFound("entry_link")
        }
        return Response(status: .noContent)
    }

    @Sendable func firstMessage(_ request: Request, context: AppRequestContext) async throws -> FirstMessageView {
        let company = try context.require("whatsapp.chats.read", roles: Self.messagingRoles).companyID
        let contact = try Self.contactPath(context)
        guard let entry = try await database.withTransaction({ try await FirstMessageStore.find(company: company, contact: contact, in: $0) }) else {
            throw Self.untagged
        }
        return FirstMessageView(entry)
    }

    /// CA-57: the tag changes only by an edit: a manager, admin or owner sets its source and label.
    @Sendable func editFirstMessage(_ request: Request, context: AppRequestContext) async throws -> FirstMessageView {
        let identity = try context.require("whatsapp.first_message.edit", roles: Self.campaignRoles)
        let contact = try Self.contactPath(context)
        let body = try await request.decode(as: FirstMessageEdit.self, context: context)
        var label: String?
        if let given = body.label, !given.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            label = try TextRules.trimmed(given, field: "label", max: 100, code: "first_message.label.invalid")
        }
        guard let entry = try await database.withTransaction({
            try await FirstMessageStore.edit(
                company: identity.companyID, contact: contact, source: body.source, label: label, by: identity.userID, at: Date(), in: $0)
        }) else { throw Self.untagged }
        return FirstMessageView(entry)
    }

    private static let untagged = APIError(
        .notFound, code: "first_message.not_found", message: "This contact has no First Message tag: they have not written yet.", field: "contact")

}

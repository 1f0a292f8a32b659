import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

/// `/v1/...` for people and programs: WhatsApp numbers, templates, audiences, campaigns, single messages and
/// reports (D-27 roles, D-28 company scope on every query).
struct CampaignsAPI: Sendable {
    let database: Database
    let outbox: Outbox
    let billing: BillingClient
    let cloud: CloudAPIClient
    let sends: SingleSend
    let limits: TierLimits

    /// D-27: owners and admins connect numbers and the business account.
    static let adminRoles: Set<Role> = [.owner, .admin]
    /// D-27: managers run campaigns, templates and audiences too.
    static let campaignRoles: Set<Role> = [.owner, .admin, .manager]
    /// Agents chat with customers (Live Chat) and send templates.
    static let messagingRoles: Set<Role> = [.owner, .admin, .manager, .agent]

    func register(_ v1: RouterGroup<AppRequestContext>) {
        v1.put("whatsapp/account", use: setAccount)
        v1.get("whatsapp/account", use: account)
        v1.post("whatsapp/numbers", use: createNumber)
        v1.get("whatsapp/numbers", use: numbers)
        v1.get("whatsapp/numbers/:id", use: number)
        v1.patch("whatsapp/numbers/:id", use: updateNumber)
        v1.get("whatsapp/numbers/:id/auto-reply", use: autoReply)
        v1.put("whatsapp/numbers/:id/auto-reply", use: setAutoReply)
        v1.get("whatsapp/numbers/:id/chats", use: chats)
        v1.get("whatsapp/numbers/:id/chats/:contact", use: chat)
        v1.put("whatsapp/numbers/:id/chats/:contact/assignee", use: assignChat)
        v1.post("whatsapp/numbers/:id/chats/:contact/resolve", use: resolveChat)
        v1.get("whatsapp/numbers/:id/chats/:contact/journey", use: chatJourney)
        v1.post("whatsapp/entry-links", use: createEntryLink)
        v1.get("whatsapp/entry-links", use: entryLinks)
        v1.delete("whatsapp/entry-links/:id", use: deleteEntryLink)
        v1.get("whatsapp/contacts/:contact/first-message", use: firstMessage)
        v1.put("whatsapp/contacts/:contact/first-message", use: editFirstMessage)
        v1.get("whatsapp/canned-messages", use: cannedMessages)
        v1.post("whatsapp/canned-messages", use: createCannedMessage)
        v1.get("whatsapp/canned-messages/:id", use: cannedMessage)
        v1.put("whatsapp/canned-messages/:id", use: updateCannedMessage)
        v1.delete("whatsapp/canned-messages/:id", use: deleteCannedMessage)

        v1.post("templates/validate", use: validateTemplate)
        v1.post("templates", use: createTemplate)
        v1.get("templates", use: templates)
        v1.get("templates/:id", use: template)
        v1.put("templates/:id", use: updateTemplate)
        v1.post("templates/:id/submit", use: submitTemplate)
        v1.delete("templates/:id", use: deleteTemplate)

        v1.get("audiences/sample", use: sampleFile)
        v1.post("audiences", use: uploadAudience)
        v1.get("audiences", use: audiences)
        v1.get("audiences/:id", use: audience)
        v1.get("audiences/:id/skipped", use: skippedReport)

        v1.post("campaigns", use: createCampaign)
        v1.get("campaigns", use: campaigns)
        v1.get("campaigns/:id", use: campaign)
        v1.post("campaigns/:id/schedule", use: scheduleCampaign)
        v1.post("campaigns/:id/cancel", use: cancelCampaign)
        v1.post("campaigns/:id/test", use: testSend)
        v1.get("campaigns/:id/report", use: campaignReport)
        v1.delete("campaigns/:id", use: deleteCampaign)

        v1.post("whatsapp/messages", use: sendMessage)
        v1.get("whatsapp/messages/:id", use: message)
        v1.get("whatsapp/trails/:trail", use: trail)
        v1.get("whatsapp/opt-outs", use: optOuts)
        v1.post("whatsapp/opt-outs", use: addOptOut)
        v1.delete("whatsapp/opt-outs/:contact", use: removeOptOut)
    }

    /// A list's page size from `limit`: `standard` when absent, else 1 to `maximum`.
    static func pageLimit(_ request: Request, standard: Int, maximum: Int) throws -> Int {
        guard let text = request.uri.queryParameters["limit"].map(String.init) else { return standard }
        guard let limit = Int(text), (1...maximum).contains(limit) else {
            throw APIError.badRequest("request.query_invalid", "limit is 1 to \(maximum).", field: "limit")
        }
        return limit
    }

    /// A keyset page cursor from the query parameter `name`, as the page before gave it in `next`.
    static func pageCursor<Key>(_ request: Request, _ name: String) throws -> PageCursor<Key>? {
        guard let text = request.uri.queryParameters[name[...]].map(String.init) else { return nil }
        guard let cursor = PageCursor<Key>(text: text) else {
            throw APIError.badRequest("request.query_invalid", "\(name) is the next of the page before, as it was given.", field: name)
        }
        return cursor
    }

    /// A path parameter that is a UUID.
    static func uuid(_ context: AppRequestContext, _ name: String = "id") throws -> UUID {
        guard let text = context.parameters.get(name), let id = UUID(uuidString: text) else {
            throw APIError.badRequest("request.invalid_id", "The \(name) in the path must be a UUID.", field: name)
        }
        return id
    }
}

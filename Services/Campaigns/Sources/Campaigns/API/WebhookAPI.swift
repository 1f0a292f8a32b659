import Contracts
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceKit
import Storage

/// `/v1/whatsapp/webhook` (issue 5 point 6): Meta's verification handshake (GET) and its event posts (POST), signed
/// with the app secret in `X-Hub-Signature-256`. A post with a bad signature is refused with 401 and nothing is stored.
/// Everything in one post is applied in one transaction; Meta repeats a post that did not get a 200, and every
/// effect here is idempotent (statuses only move forward, inbound messages and conversations are stored once).
struct WebhookAPI: Sendable {
    let database: Database
    let outbox: Outbox
    let appSecret: SymmetricKey
    let verifyToken: String
    let autoReplies: AutoReplies
    let logger: Logger

    func register(_ router: Router<AppRequestContext>) {
        router.get("v1/whatsapp/webhook", use: verify)
        router.post("v1/whatsapp/webhook", use: receive)
    }

    /// Meta's subscription check: echo `hub.challenge` when `hub.verify_token` is ours.
    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard query["hub.mode"] == "subscribe", let token = query["hub.verify_token"], String(token) == verifyToken,
              let challenge = query["hub.challenge"] else {
            throw APIError.forbidden("webhook.verify_token_invalid", "The verify token does not match.", field: "hub.verify_token")
        }
        return Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: String(challenge))))
    }

    @Sendable func receive(_ request: Request, context: AppRequestContext) async throws -> Response {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let body = Data(buffer.readableBytesView)
        guard WebhookSignature.verify(request.headers[HTTPField.Name("X-Hub-Signature-256")!], body: body, key: appSecret) else {
            throw APIError(.unauthorized, code: "webhook.signature_invalid", message: "The X-Hub-Signature-256 header does not match the body.")
        }
        let payload: WebhookPayload
        do {
            // Without NULs, which PostgreSQL's text refuses: one in a customer's message would refuse the whole post.
            payload = try JSONDecoder().decode(WebhookPayload.self, from: JSONText.withoutNULs(body))
        } catch {
            throw APIError.badRequest("webhook.payload_invalid", "The body is not a WhatsApp Business webhook (object and entry[] are needed).", field: "entry")
        }
        try await database.withTransaction { transaction in
            for entry in payload.entry {
                for change in entry.changes { try await apply(change, waba: entry.id, in: transaction) }
            }
        }
        return Response(status: .ok)
    }

    private func apply(_ change: WebhookPayload.Change, waba: String?, in transaction: Transaction) async throws {
        let value = change.value
        switch change.field {
        case "messages":
            guard let phoneNumberID = value.metadata?.phoneNumberID,
                  let number = try await NumberStore.find(phoneNumberID: phoneNumberID, in: transaction) else {
                logger.notice("webhook for a number not connected here; ignored", metadata: ["phone_number_id": "\(value.metadata?.phoneNumberID ?? "-")"])
                return
            }
            for status in value.statuses ?? [] { try await apply(status, number: number, in: transaction) }
            for message in value.messages ?? [] {
                let name = value.contacts?.first { $0.waID == message.from }?.profile?.name
                try await apply(message, name: name, number: number, in: transaction)
            }
        case "message_template_status_update":
            // D-11, CA-12: APPROVED, REJECTED, PAUSED, DISABLED (PENDING_DELETION and others leave the status).
            guard let id = value.messageTemplateID?.text, let event = value.event else { return }
            guard let status = StoredTemplate.Status(rawValue: event.lowercased()), status != .draft, status != .pending else { return }
            if try await !TemplateStore.applyReview(providerID: id, status: status, category: nil, reason: value.reason, in: transaction) {
                try await TemplateStore.keepEarlyReview(providerID: id, status: status, category: nil, reason: value.reason, in: transaction)
            }
        case "template_category_update":
            // CA-08: an approved template re-categorised by Meta keeps working under the new category.
            guard let id = value.messageTemplateID?.text, let category = value.newCategory?.lowercased(),
                  ["marketing", "utility", "authentication"].contains(category) else { return }
            if try await !TemplateStore.applyReview(providerID: id, status: nil, category: category, reason: nil, in: transaction) {
                try await TemplateStore.keepEarlyReview(providerID: id, status: nil, category: category, reason: nil, in: transaction)
            }
        case "phone_number_quality_update":
            try await applyQuality(value, waba: waba, in: transaction)
        default:
            return
        }
    }

    private func apply(_ status: WebhookPayload.Status, number: WhatsAppNumber, in transaction: Transaction) async throws {
        guard let next = MessageStatus(rawValue: status.status), MessageStatus.reachedProvider.contains(next) || next == .failed else { return }
        let error = status.errors?.first
        if error?.code == OptOut.providerErrorCode, let text = status.recipientID, let recipient = PhoneNumber(e164: "+" + text) {
            // CA-01: Meta says the customer stopped this business's marketing messages: no more marketing templates until
            // they write START.
            try await OptOutStore.recordCustomer(
                company: number.companyID, contact: recipient, optedOut: true, source: .provider, at: status.date, in: transaction)
        }
        let message = try await StatusUpdates.apply(
            providerID: status.id, status: next, at: status.date, errorCode: error.map { String($0.code) },
            errorMessage: error.map { $0.message ?? $0.title ?? "failed" }, outbox: outbox, in: transaction)
        // D-18: a conversation the provider reports for the first time is billable (Billing rates it).
        if let conversation = status.conversation, let recipientText = status.recipientID,
           let recipient = PhoneNumber(e164: "+" + recipientText) {
            let category = WhatsAppConversationOpened.Category(rawValue: conversation.origin?.type.lowercased() ?? "") ?? .service
            try await Conversations.reported(
                WhatsAppConversationOpened(
                    conversationID: conversation.id, category: category, phoneNumberID: number.phoneNumberID, recipient: recipient,
                    openedAt: status.date),
                number: number, providerMessageID: status.id, message: message, outbox: outbox, in: transaction)
        }
    }

    /// CA-02, CA-03: an inbound message opens or extends the customer's 24-hour window.
    private func apply(_ message: WebhookPayload.InboundMessage, name: String?, number: WhatsAppNumber, in transaction: Transaction) async throws {
        guard let from = PhoneNumber(e164: "+" + message.from) else { return }
        let at = message.date
        guard try await WindowStore.recordInbound(
            providerID: message.id, number: number, contact: from, type: message.type, text: message.replyText, at: at, in: transaction) else { return }
        let keyword = OptOut.keyword(in: message.replyText)
        if let keyword {
            // CA-01: STOP and START (written, or a template's button tapped) change what the business may send from now on.
            try await OptOutStore.recordCustomer(
                company: number.companyID, contact: from, optedOut: keyword != .start, source: keyword == .stopMarketing ? .provider : .keyword,
                at: at, in: transaction)
        }
        let name = name.map { String($0.prefix(CannedMessage.maxValue)) }
        let customerMessage = LiveChat.isCustomerMessage(type: message.type)
        let (before, last, startsChat) = try await WindowStore.extend(
            number: number.id, company: number.companyID, contact: from, name: name, at: at, customerMessage: customerMessage, in: transaction)
        if startsChat {
            // CA-58: the customer opened a chat, which every agent now sees (CA-49).
            try await ChatStore.record(.opened, number: number.id, company: number.companyID, contact: from, actor: nil, assignee: nil, at: at, in: transaction)
        }
        if customerMessage, before?.lastMessage.map({ at < $0 }) ?? true {
            // CA-57: the contact's first message to the number tags where they came from, unless an earlier first
            // message (to another of the company's numbers) did; one stamped before the message that tagged them
            // (delivered late: the ad's message after the next one) tags them instead, unless someone edited the tag.
            var link: EntryLinkStore.Entry?
            if let code = EntryLink.code(in: message.replyText) {
                link = try await EntryLinkStore.find(code: code, company: number.companyID, in: transaction)
            }
            let tag = FirstMessage.tag(referral: message.referral?.domain, link: link.map { FirstMessage.Link(id: $0.id, name: $0.name, kind: $0.kind) })
            try await FirstMessageStore.tagIfFirst(tag, company: number.companyID, contact: from, number: number.id, at: at, in: transaction)
        }
        // CA-53: a customer who starts a conversation gets the number's Greeting or Away reply; one who just wrote
        // STOP gets nothing more, and a reaction or a notice from WhatsApp itself is nobody starting a conversation.
        if keyword == nil || keyword == .start, customerMessage {
            try await autoReplies.reply(to: from, name: name, at: at, before: before?.lastMessage, number: number, in: transaction)
        }
        try await outbox.enqueue(Envelope(
            companyID: number.companyID,
            data: WhatsAppInbound(
                providerMessageID: message.id, phoneNumberID: number.phoneNumberID, from: from, kind: message.type, text: message.replyText,
                replyID: message.replyID, receivedAt: at, windowExpiresAt: ServiceWindow.expiry(lastInbound: last))), in: transaction)
    }

    /// D-12, CA-41: Meta moves a number between tiers and flags its quality.
    /// The number is found by its display number within the business account the post is for (`entry.id`): display
    /// numbers are unique per company only.
    private func applyQuality(_ value: WebhookPayload.Value, waba: String?, in transaction: Transaction) async throws {
        guard let display = value.displayPhoneNumber, let waba else { return }
        let digits = display.filter(\.isNumber)
        guard let phone = PhoneNumber(e164: "+" + digits) else { return }
        guard var number = try await NumberStore.find(displayNumber: phone, waba: waba, in: transaction) else { return }
        if let limit = value.currentLimit, let tier = TierLimits.tier(metaLimit: limit) { number.tier = tier }
        if let quality = value.quality.flatMap(WhatsAppNumber.Quality.init(meta:)) {
            number.quality = quality
        } else if let event = value.event?.uppercased() {
            if event == "FLAGGED" { number.quality = .red }
            if event == "UNFLAGGED" { number.quality = .green }
        }
        try await NumberStore.update(number, in: transaction)
    }
}

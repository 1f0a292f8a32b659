import Contracts
import Foundation
import HTTPTypes
import ServiceKit
import Storage

/// One message to one contact (issue 5 point 7): a template (API clients, AfterCall, a campaign's test send) or
/// free-form text inside the service window. Checked here, queued as a one-message send job for the sender.
struct SingleSend: Sendable {
    let outbox: Outbox
    let limits: TierLimits

    struct TemplateRequest: Sendable {
        var numberID: UUID
        var to: PhoneNumber
        var templateID: UUID
        var payload: MessagePayload
        var trail: String?
    }

    enum Outcome: Sendable {
        case queued(StoredMessage)
        case refused(APIError)
    }

    /// `actor`: the user sending through the API (nil for other services' sends and campaign test sends).
    func template(_ request: TemplateRequest, by actor: LiveChat.Actor?, company: CompanyID, in transaction: Transaction) async throws -> Outcome {
        guard let number = try await NumberStore.find(request.numberID, company: company, in: transaction) else { return .refused(Self.unknownNumber) }
        if let refusal = try await common(number: number, to: request.to, company: company, in: transaction) { return .refused(refusal) }
        // CA-50: only an agent's template can be a reply into another agent's chat; the row is read locked, as for replies.
        if let actor, case .agent = actor,
           let chat = try await ChatStore.find(number: number.id, company: company, contact: request.to, locking: true, in: transaction),
           case .assignedElsewhere(let owner)? = chat.chat.templateRefusal(by: actor, now: Date())
        {
            return .refused(Self.assignedElsewhere(owner))
        }
        guard let template = try await TemplateStore.find(request.templateID, company: company, in: transaction) else {
            return .refused(APIError.unprocessable("template.unknown", "No template of your company has this id.", field: "template_id"))
        }
        // CA-01: a template starts a business-initiated conversation; free-form replies to a customer who wrote stay allowed.
        if try await !OptOutStore.blocked(company: company, contacts: [request.to], category: template.category, in: transaction).isEmpty {
            return .refused(APIError.unprocessable(OptOut.refusalCode, OptOut.refusalMessage, field: "to"))
        }
        guard template.status.isSendable else {
            return .refused(APIError.unprocessable(
                "template.not_approved", "Only approved templates can be sent; this one is \(template.status.rawValue) (CA-12).", field: "template_id"))
        }
        if case .template(let body, let header, let button) = request.payload {
            do {
                _ = try TemplateMessage(template: template.content, to: request.to.e164, body: body, header: header, urlButton: button)
            } catch {
                return .refused(APIError.unprocessable("template.values_missing", error.message, field: "values"))
            }
        }
        // D-12: a template to a contact whose window is open is a reply, and one to a contact reached in the last 24
        // hours is counted already; anyone else takes one unit of the quota.
        guard try await NumberStore.takeQuota(number.id, recipients: [request.to], limits: limits, in: transaction) == [true] else {
            return .refused(APIError(
                .tooManyRequests, code: DailyQuota.exceededCode,
                message: "This number has reached its daily messaging limit (tier \(number.tier)); try again when the 24-hour window restarts.",
                field: "number_id"))
        }
        return .queued(try await queue(
            number: number, to: request.to, kind: "template", template: template.id, payload: request.payload, trail: request.trail,
            in: transaction))
    }

    /// CA-05, D-18: a session message (free-form text, or an interactive message, CA-54) only inside the window.
    func freeForm(
        numberID: UUID, to: PhoneNumber, payload: MessagePayload, by actor: LiveChat.Actor, company: CompanyID, in transaction: Transaction
    ) async throws -> Outcome {
        guard let number = try await NumberStore.find(numberID, company: company, in: transaction) else { return .refused(Self.unknownNumber) }
        return try await freeForm(number: number, to: to, payload: payload, by: actor, in: transaction)
    }

    /// The same, from a number already read; `actor` nil for the number's own automatic replies (CA-53), which
    /// leave the chat's ownership as it is.
    func freeForm(number: WhatsAppNumber, to: PhoneNumber, payload: MessagePayload, by actor: LiveChat.Actor?, in transaction: Transaction) async throws -> Outcome {
        let chat = try await ChatStore.find(number: number.id, company: number.companyID, contact: to, locking: actor != nil, in: transaction)
        return try await session(number: number, to: to, payload: payload, chat: chat, by: actor, in: transaction)
    }

    /// CA-52: a canned message, its variables filled for this contact and number, as free-form text.
    func canned(
        _ id: UUID, numberID: UUID, to: PhoneNumber, by actor: LiveChat.Actor, company: CompanyID, in transaction: Transaction
    ) async throws -> Outcome {
        guard let canned = try await CannedMessageStore.find(id, company: company, in: transaction) else {
            return .refused(APIError.unprocessable("canned_message.unknown", "No canned message of your company has this id.", field: "canned_id"))
        }
        guard let number = try await NumberStore.find(numberID, company: company, in: transaction) else { return .refused(Self.unknownNumber) }
        let chat = try await ChatStore.find(number: number.id, company: company, contact: to, locking: true, in: transaction)
        let text = CannedMessage.render(
            canned.text, with: CannedMessage.Values(contactName: chat?.name, contactPhone: to.e164, businessName: number.displayName))
        return try await session(number: number, to: to, payload: .text(text), chat: chat, by: actor, in: transaction)
    }

    private static func assignedElsewhere(_ owner: UserID) -> APIError {
        APIError.forbidden(
            "chat.assigned_elsewhere", "Another agent (\(owner)) owns this chat: only they, or a manager, admin or owner, may reply (CA-50).",
            field: "to")
    }

    private static let unknownNumber = APIError.unprocessable(
        "whatsapp_number.unknown", "No WhatsApp number of your company has this id.", field: "number_id")

    /// An agent's reply is checked against the chat's owner (CA-49, CA-50) with the chat's row locked, so two agents
    /// answering an open chat at once cannot both take it: the second waits, then finds it taken.
    private func session(
        number: WhatsAppNumber, to: PhoneNumber, payload: MessagePayload, chat: ChatStore.Entry?, by actor: LiveChat.Actor?,
        in transaction: Transaction
    ) async throws -> Outcome {
        if let refusal = try await common(number: number, to: to, company: number.companyID, in: transaction) { return .refused(refusal) }
        let now = Date()
        let windowClosed = APIError.unprocessable(
            "window.closed",
            "The customer has not written in the last 24 hours, so only an approved template can be sent (CA-01, CA-05, CA-16).", field: "to")
        guard let chat, ServiceWindow.isOpen(lastInbound: chat.chat.lastInbound, now: now) else { return .refused(windowClosed) }
        if let actor {
            switch chat.chat.reply(by: actor, now: now) {
            case .reply:
                break
            case .replyAndTake:
                try await ChatStore.assign(number: number.id, company: number.companyID, contact: to, to: actor.userID, in: transaction)
                try await ChatStore.record(
                    .autoAssigned, number: number.id, company: number.companyID, contact: to, actor: actor.userID, assignee: actor.userID, at: now,
                    in: transaction)
            case .refused(.windowClosed):
                return .refused(windowClosed)
            case .refused(.resolved):
                return .refused(APIError.conflict(
                    "chat.resolved", "This chat was resolved: it takes no reply until the customer writes again, or a manager reassigns it (CA-49).",
                    field: "to"))
            case .refused(.assignedElsewhere(let owner)):
                return .refused(Self.assignedElsewhere(owner))
            }
        }
        let kind = if case .interactive = payload { "interactive" } else { "text" }
        return .queued(try await queue(number: number, to: to, kind: kind, template: nil, payload: payload, trail: nil, in: transaction))
    }

    /// A refused send of another service, kept as a failed message (when its number is the company's).
    func recordRefusal(
        _ error: APIError, numberID: UUID, to: PhoneNumber, templateID: UUID, trail: String?, company: CompanyID, in transaction: Transaction
    ) async throws {
        guard let number = try await NumberStore.find(numberID, company: company, in: transaction) else { return }
        let template = try await TemplateStore.find(templateID, company: company, in: transaction)
        let id = UUID.random()
        try await MessageStore.insert(
            [MessageStore.NewMessage(
                id: id, position: nil, recipient: to, name: "", payload: .template(body: [], header: nil, button: nil), status: .failed,
                errorCode: error.code, errorMessage: error.message)],
            company: company, number: number.id, campaign: nil, kind: "template", template: template?.id, trail: trail, in: transaction)
        let message = ClaimedMessage(
            id: id, companyID: company, numberID: number.id, phoneNumberID: number.phoneNumberID, recipient: to, templateID: template?.id,
            payload: .template(body: [], header: nil, button: nil), campaignID: nil, trail: trail)
        try await outbox.enqueue(
            [try StatusUpdates.envelope(message, providerMessageID: nil, status: .failed, errorCode: error.code, errorMessage: error.message, at: Date())],
            in: transaction)
    }

    private func common(number: WhatsAppNumber, to: PhoneNumber, company: CompanyID, in transaction: Transaction) async throws -> APIError? {
        // CA-33, D-13: WhatsApp messaging is India-only, to mobile numbers.
        guard to.isIndianMobile else {
            return APIError.unprocessable(
                "recipient.not_indian", "WhatsApp messages go to Indian mobile numbers only: +91 and ten digits starting with 6 to 9 (CA-33).",
                field: "to")
        }
        if try await CompanyStore.read(company, in: transaction).whatsappBlocked {
            return APIError.paymentRequired("INSUFFICIENTBALANCE", "The account is suspended; WhatsApp messages need a balance of at least ₹1 (BI-07).")
        }
        return nil
    }

    private func queue(
        number: WhatsAppNumber, to: PhoneNumber, kind: String, template: UUID?, payload: MessagePayload, trail: String?, in transaction: Transaction
    ) async throws -> StoredMessage {
        let id = UUID.random()
        try await MessageStore.insert(
            [MessageStore.NewMessage(id: id, position: nil, recipient: to, name: "", payload: payload, status: .queued)],
            company: number.companyID, number: number.id, campaign: nil, kind: kind, template: template, trail: trail, in: transaction)
        try await outbox.enqueue(Envelope(companyID: number.companyID, data: CampaignDispatch(messageIDs: [id])), in: transaction)
        guard let stored = try await MessageStore.find(id, company: number.companyID, in: transaction) else {
            throw APIError.notFound("message")
        }
        return stored
    }
}

extension WhatsAppBalance {
    /// BI-07's answer, for the API and for sends other services request.
    static let refusal = APIError.paymentRequired(
        "INSUFFICIENTBALANCE", "WhatsApp messages need a balance of at least ₹1.00 (BI-07); recharge to send.")
}

import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

extension CampaignsAPI {
    /// Issue 5 point 7: a template to one contact (with an optional Message Trail tag, CA-46), or free-form text or an
    /// interactive message (CA-54) inside the customer's 24-hour window (CA-05, D-18: else 422 `window.closed`). BI-07: 402 `INSUFFICIENTBALANCE`
    /// below ₹1. Answers 202: the message is queued for the sender; its status follows on `GET …/messages/{id}`.
    ///
    /// With an `Idempotency-Key` header (1 to 255 visible ASCII characters, unique per company) a request sent again
    /// answers the message the first one queued, as it is now, and queues nothing: a client may retry after a timeout
    /// without the customer getting the message twice.
    @Sendable func sendMessage(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<MessageView> {
        let identity = try context.require("whatsapp.send", roles: Self.messagingRoles)
        let company = identity.companyID
        let key = try IdempotencyKey.read(request.headers[HTTPField.Name("Idempotency-Key")!])
        if let key, let earlier = try await earlierMessage(key, company: company) { return EditedResponse(status: .accepted, response: MessageView(earlier)) }
        let body = try await request.decode(as: MessageRequest.self, context: context)
        let to = try TextRules.phone(body.to, field: "to")
        if let trail = body.trail {
            guard (1...64).contains(trail.count), trail.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw APIError.unprocessable("message.trail.invalid", "A trail name has 1 to 64 letters, digits, '_' or '-', such as OrderStatusUpdates.", field: "trail")
            }
        }
        let given = [body.templateID != nil, body.text != nil, body.interactive != nil, body.cannedID != nil].filter { $0 }.count
        guard given == 1 else {
            throw APIError.badRequest(
                "message.kind.ambiguous", "Send one of template_id (with values), text, interactive or canned_id.", field: "template_id")
        }
        let kind: Kind
        if let template = body.templateID {
            kind = .template(template, .template(body: body.values?.body ?? [], header: body.values?.header, button: body.values?.button))
        } else if let text = body.text {
            try Self.untagged(body)
            kind = .session(.text(try TextRules.trimmed(text, field: "text", max: 4_096, code: "message.text.invalid")))
        } else if let draft = body.interactive {
            try Self.untagged(body)
            kind = .session(.interactive(try InteractiveMessage.validated(draft).mapError(\.apiError).get()))
        } else {
            try Self.untagged(body)
            kind = .canned(body.cannedID!)
        }
        try await requireBalance(company)
        let outcome: SingleSend.Outcome
        do {
            outcome = try await queue(kind, body: body, to: to, identity: identity, key: key)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" && key != nil {
            // The same key sent twice at once: the other request queued its message first.
            guard let key, let earlier = try await earlierMessage(key, company: company) else { throw error }
            return EditedResponse(status: .accepted, response: MessageView(earlier))
        }
        switch outcome {
        case .queued(let message):
            return EditedResponse(status: .accepted, response: MessageView(message))
        case .refused(let error):
            // Refused only because a copy with the same key, racing this one, took the chat or the quota first.
            if let key, let earlier = try await earlierMessage(key, company: company) { return EditedResponse(status: .accepted, response: MessageView(earlier)) }
            throw error
        }
    }

    private func earlierMessage(_ key: String, company: CompanyID) async throws -> StoredMessage? {
        try await database.withTransaction { try await MessageStore.find(idempotencyKey: key, company: company, in: $0) }
    }

    private func queue(_ kind: Kind, body: MessageRequest, to: PhoneNumber, identity: Identity, key: String?) async throws -> SingleSend.Outcome {
        let company = identity.companyID
        return try await database.withTransaction { transaction in
            let outcome: SingleSend.Outcome
            switch kind {
            case .template(let template, let payload):
                outcome = try await sends.template(
                    SingleSend.TemplateRequest(numberID: body.numberID, to: to, templateID: template, payload: payload, trail: body.trail),
                    by: Self.chatActor(identity), company: company, in: transaction)
            case .session(let payload):
                outcome = try await sends.freeForm(numberID: body.numberID, to: to, payload: payload, by: Self.chatActor(identity), company: company, in: transaction)
            case .canned(let id):
                outcome = try await sends.canned(id, numberID: body.numberID, to: to, by: Self.chatActor(identity), company: company, in: transaction)
            }
            if let key, case .queued(let message) = outcome {
                try await MessageStore.keep(idempotencyKey: key, for: message.id, company: company, in: transaction)
            }
            return outcome
        }
    }

    private enum Kind {
        case template(UUID, MessagePayload)
        /// Free-form text or an interactive message: inside the window only.
        case session(MessagePayload)
        /// CA-52: a canned message of the company's library, its variables filled for this contact.
        case canned(UUID)
    }

    private static func untagged(_ body: MessageRequest) throws {
        guard body.trail == nil else {
            throw APIError.unprocessable("message.trail.template_only", "Message Trails tag template messages sent through the API (CA-46).", field: "trail")
        }
    }

    @Sendable func message(_ request: Request, context: AppRequestContext) async throws -> MessageView {
        let company = try context.require("whatsapp.read", roles: Self.messagingRoles).companyID
        let id = try Self.uuid(context)
        guard let message = try await database.withTransaction({ try await MessageStore.find(id, company: company, in: $0) }) else {
            throw APIError.notFound("message")
        }
        return MessageView(message)
    }

    /// CA-46: a Message Trail's messages, newest first; `?format=csv` exports it.
    @Sendable func trail(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try context.require("whatsapp.read", roles: Self.messagingRoles).companyID
        guard let trail = context.parameters.get("trail"), (1...64).contains(trail.count) else {
            throw APIError.badRequest("request.invalid_trail", "The trail in the path is its name.", field: "trail")
        }
        let messages = try await database.withTransaction { try await MessageStore.ofTrail(trail, company: company, limit: 10_000, in: $0) }
        let format = request.uri.queryParameters["format"].map(String.init) ?? "json"
        guard format == "json" || format == "csv" else {
            throw APIError.badRequest("request.query_invalid", "format is json or csv.", field: "format")
        }
        if format == "csv" {
            var text = CSV.row(["Message ID", "Phone Number", "Status", "Sent At", "Delivered At", "Read At", "Failed At", "Error"])
            for message in messages {
                text += CSV.row([
                    message.id.uuidString.lowercased(), message.recipient.e164, message.status.rawValue, message.sentAt.map(Timestamp.format) ?? "",
                    message.deliveredAt.map(Timestamp.format) ?? "", message.readAt.map(Timestamp.format) ?? "",
                    message.failedAt.map(Timestamp.format) ?? "", message.errorMessage ?? "",
                ])
            }
            return CSV.response(text, filename: "trail-\(trail).csv")
        }
        return try APIResponseEncoder().encode(Page(items: messages.map(MessageView.init), next: nil), from: request, context: context)
    }
}

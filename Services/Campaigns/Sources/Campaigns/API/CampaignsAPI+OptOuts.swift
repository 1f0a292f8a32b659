import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

/// CA-01: the contacts who opted out of the company's WhatsApp templates. Customers opt out and in themselves (STOP,
/// START); the business records an opt-out it learnt of another way, and can lift only those.
extension CampaignsAPI {
    struct OptOutRequest: Decodable {
        var contact: String
    }

    struct OptOutView: ResponseCodable {
        var contact: String
        var source: OptOut.Source
        var optedOutAt: Date

        init(_ entry: OptOutStore.Entry) {
            contact = entry.contact
            source = entry.source
            optedOutAt = entry.changedAt
        }

        enum CodingKeys: String, CodingKey {
            case contact, source
            case optedOutAt = "opted_out_at"
        }
    }

    static let optOutPage = 500

    @Sendable func optOuts(_ request: Request, context: AppRequestContext) async throws -> Page<OptOutView> {
        let company = try context.require("whatsapp.opt_outs.read", roles: Self.messagingRoles).companyID
        var after: (Date, String)?
        if let text = request.uri.queryParameters.get("before") {
            let parts = text.split(separator: "|", maxSplits: 1)
            guard parts.count == 2, let date = Timestamp.parse(String(parts[0])) else {
                throw APIError.badRequest("request.query_invalid", "before is the `next` of the previous page.", field: "before")
            }
            after = (date, String(parts[1]))
        }
        let entries = try await database.withTransaction { transaction in
            try await OptOutStore.list(company: company, after: after, limit: Self.optOutPage, in: transaction)
        }
        let next = entries.count == Self.optOutPage ? entries.last.map { Timestamp.format($0.changedAt) + "|" + $0.contact } : nil
        return Page(items: entries.map(OptOutView.init), next: next)
    }

    /// Recording an opt-out the customer asked for outside WhatsApp (a call, an e-mail).
    @Sendable func addOptOut(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<OptOutView> {
        let company = try context.require("whatsapp.opt_outs.manage", roles: Self.campaignRoles).companyID
        let body = try await request.decode(as: OptOutRequest.self, context: context)
        let contact = try TextRules.phone(body.contact, field: "contact")
        let now = Date()
        let entry = try await database.withTransaction { transaction -> OptOutStore.Entry in
            if let existing = try await OptOutStore.find(company: company, contact: contact, in: transaction), existing.optedOut { return existing }
            try await OptOutStore.record(company: company, contact: contact, optedOut: true, source: .api, at: now, in: transaction)
            return OptOutStore.Entry(contact: contact.e164, optedOut: true, source: .api, changedAt: now)
        }
        return EditedResponse(status: .created, response: OptOutView(entry))
    }

    @Sendable func removeOptOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try context.require("whatsapp.opt_outs.manage", roles: Self.campaignRoles).companyID
        let text = context.parameters.get("contact")?.removingPercentEncoding ?? ""
        let contact = try TextRules.phone(text, field: "contact")
        try await database.withTransaction { transaction in
            guard let entry = try await OptOutStore.find(company: company, contact: contact, in: transaction), entry.optedOut else {
                throw APIError.notFound("opt_out")
            }
            guard entry.source.liftableByBusiness else {
                throw APIError.conflict(
                    "opt_out.customer_choice",
                    "The customer opted out themselves; only their START message opts them in again (CA-01).", field: "contact")
            }
            try await OptOutStore.record(company: company, contact: contact, optedOut: false, source: .api, at: Date(), in: transaction)
        }
        return Response(status: .noContent)
    }
}

import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

/// CA-01: the contacts who opted out of the company's WhatsApp templates. Customers opt out and in themselves (STOP,
/// START, Meta's 131050 for marketing); the business records an opt-out it learnt of another way, and lifts only its
/// own.
extension CampaignsAPI {
    struct OptOutRequest: Decodable {
        var contact: String
    }

    struct OptOutView: ResponseCodable {
        enum Scope: String, Codable {
            /// Every template.
            case all
            /// Marketing templates only (Meta's 131050 alone).
            case marketing
        }

        var contact: String
        /// The customer's own opt-out, by where it came from; absent when they made none.
        var customerChoice: OptOut.Source?
        /// The business recorded an opt-out.
        var businessOptOut: Bool
        var scope: Scope
        var optedOutAt: Date?

        init(_ entry: OptOutStore.Entry) {
            contact = entry.contact
            customerChoice = entry.customerOut ? entry.customerSource : nil
            businessOptOut = entry.businessOut
            let all = OptOut.blocks(customerOut: entry.customerOut, customerSource: entry.customerSource, businessOut: entry.businessOut, category: "utility")
            scope = all ? .all : .marketing
            optedOutAt = [entry.customerOut ? entry.customerAt : nil, entry.businessOut ? entry.businessAt : nil].compactMap { $0 }.min()
        }

        enum CodingKeys: String, CodingKey {
            case contact, scope
            case customerChoice = "customer_choice"
            case businessOptOut = "business_opt_out"
            case optedOutAt = "opted_out_at"
        }
    }

    static let optOutPage = 500

    @Sendable func optOuts(_ request: Request, context: AppRequestContext) async throws -> Page<OptOutView> {
        let company = try context.require("whatsapp.opt_outs.read", roles: Self.campaignRoles).companyID
        let after = request.uri.queryParameters.get("after")
        let entries = try await database.withTransaction { transaction in
            try await OptOutStore.list(company: company, after: after, limit: Self.optOutPage, in: transaction)
        }
        return Page(items: entries.map(OptOutView.init), next: entries.count == Self.optOutPage ? entries.last?.contact : nil)
    }

    /// Recording an opt-out the customer asked for outside WhatsApp (a call, an e-mail). 201 when recorded, 200 when
    /// the business had recorded it already.
    @Sendable func addOptOut(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<OptOutView> {
        let company = try context.require("whatsapp.opt_outs.manage", roles: Self.campaignRoles).companyID
        let body = try await request.decode(as: OptOutRequest.self, context: context)
        let contact = try TextRules.phone(body.contact, field: "contact")
        let (entry, created) = try await database.withTransaction { transaction -> (OptOutStore.Entry, Bool) in
            let existing = try await OptOutStore.find(company: company, contact: contact, in: transaction)
            if let existing, existing.businessOut { return (existing, false) }
            try await OptOutStore.recordBusiness(company: company, contact: contact, optedOut: true, at: Date(), in: transaction)
            guard let entry = try await OptOutStore.find(company: company, contact: contact, in: transaction) else { throw APIError.notFound("opt_out") }
            return (entry, true)
        }
        return EditedResponse(status: created ? .created : .ok, response: OptOutView(entry))
    }

    /// Lifts the business's own opt-out; a customer's choice changes only by the customer (START), so one the customer
    /// made stays in force.
    @Sendable func removeOptOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try context.require("whatsapp.opt_outs.manage", roles: Self.campaignRoles).companyID
        let contact = try Self.contactPath(context)
        try await database.withTransaction { transaction in
            guard let entry = try await OptOutStore.find(company: company, contact: contact, in: transaction), entry.customerOut || entry.businessOut
            else { throw APIError.notFound("opt_out") }
            // The business's own is lifted whatever the customer chose; only the customer's alone is refused.
            guard entry.businessOut else {
                throw APIError.conflict(
                    "opt_out.customer_choice",
                    "The customer opted out themselves; only their START message opts them in again (CA-01).", field: "contact")
            }
            try await OptOutStore.recordBusiness(company: company, contact: contact, optedOut: false, at: Date(), in: transaction)
        }
        return Response(status: .noContent)
    }
}

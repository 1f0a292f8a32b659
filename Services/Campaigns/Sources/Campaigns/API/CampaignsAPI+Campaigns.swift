import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

extension CampaignsAPI {
    /// CA-26: one approved template, one number, one audience, the variable mapping (CA-34, CA-35). A draft until it
    /// is scheduled.
    @Sendable func createCampaign(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<CampaignView> {
        let identity = try context.require("campaigns.manage", roles: Self.campaignRoles)
        let company = identity.companyID
        let body = try await request.decode(as: CampaignRequest.self, context: context)
        let name = try TextRules.trimmed(body.name, field: "name", max: 100, code: "campaign.name.invalid")
        let campaign = try await database.withTransaction { transaction in
            guard try await NumberStore.find(body.numberID, company: company, in: transaction) != nil else {
                throw APIError.unprocessable("whatsapp_number.unknown", "No WhatsApp number of your company has this id.", field: "number_id")
            }
            guard let template = try await TemplateStore.find(body.templateID, company: company, in: transaction) else {
                throw APIError.unprocessable("template.unknown", "No template of your company has this id.", field: "template_id")
            }
            guard template.status.isSendable else {
                throw APIError.unprocessable(
                    "template.not_approved", "A campaign uses one approved template (CA-26); this one is \(template.status.rawValue).",
                    field: "template_id")
            }
            guard let audience = try await AudienceStore.find(body.audienceID, company: company, in: transaction) else {
                throw APIError.unprocessable("audience.unknown", "No audience of your company has this id.", field: "audience_id")
            }
            guard audience.validRows > 0 else {
                throw APIError.unprocessable("audience.empty", "The audience has no valid contacts.", field: "audience_id")
            }
            let mapping = body.mapping ?? VariableMapping(body: [], header: nil, button: nil)
            let problems = mapping.violations(
                bodyCount: template.content.bodyVariableCount, headerCount: template.content.headerVariableCount,
                buttonCount: template.content.urlButtonVariableCount, columns: audience.columns)
            guard problems.isEmpty else {
                throw APIError(
                    .unprocessableContent, code: "mapping.invalid", message: "The variable mapping does not fit the template; see violations.",
                    field: "mapping", violations: problems.map { APIError.Violation(code: $0.code.rawValue, field: "mapping." + $0.field, message: $0.message) })
            }
            var campaign = Campaign(
                id: CampaignID(), companyID: company, name: name, templateID: template.id, numberID: body.numberID, audienceID: audience.id,
                mapping: mapping, status: .draft, sendAt: nil, recipients: audience.validRows, createdBy: identity.userID, createdAt: Date())
            campaign.createdAt = try await CampaignStore.insert(campaign, in: transaction)
            return campaign
        }
        return EditedResponse(status: .created, response: CampaignView(campaign, counts: nil))
    }

    /// CA-43: filters `from`, `to` (creation date range), `status`, `number_id`; newest first, keyset pages.
    @Sendable func campaigns(_ request: Request, context: AppRequestContext) async throws -> Page<CampaignView> {
        let company = try context.require("campaigns.read", roles: Self.campaignRoles).companyID
        let query = request.uri.queryParameters
        func date(_ name: String) throws -> Date? {
            guard let text = query[name[...]].map(String.init) else { return nil }
            guard let date = Timestamp.parse(text) else {
                throw APIError.badRequest("request.query_invalid", "\(name) is an ISO-8601 time such as 2026-11-28T10:00:00.000Z.", field: name)
            }
            return date
        }
        var filter = CampaignStore.Filter(limit: 50)
        filter.from = try date("from")
        filter.to = try date("to")
        if let text = query["status"].map(String.init) {
            guard let status = CampaignStatus(rawValue: text) else {
                throw APIError.badRequest(
                    "request.query_invalid", "status is one of \(CampaignStatus.allCases.map(\.rawValue).joined(separator: ", ")).", field: "status")
            }
            filter.status = status
        }
        if let text = query["number_id"].map(String.init) {
            guard let id = UUID(uuidString: text) else { throw APIError.badRequest("request.query_invalid", "number_id is a UUID.", field: "number_id") }
            filter.numberID = id
        }
        filter.limit = try Self.pageLimit(request, standard: filter.limit, maximum: 200)
        if let text = query["before"].map(String.init) {
            let parts = text.split(separator: "_", maxSplits: 1).map(String.init)
            guard parts.count == 2, let at = Timestamp.parse(parts[0]), let id = UUID(uuidString: parts[1]) else {
                throw APIError.badRequest("request.query_invalid", "before is the next cursor of the previous page.", field: "before")
            }
            filter.before = (at, id)
        }
        let limit = filter.limit
        let (list, counts) = try await database.withTransaction { transaction in
            let list = try await CampaignStore.list(company: company, filter: filter, in: transaction)
            return (list, try await CampaignStore.counts(list.map(\.id), in: transaction))
        }
        let next = list.count == limit ? list.last.map { "\(Timestamp.format($0.createdAt))_\($0.id)" } : nil
        return Page(items: list.map { CampaignView($0, counts: counts[$0.id]) }, next: next)
    }

    @Sendable func campaign(_ request: Request, context: AppRequestContext) async throws -> CampaignView {
        let company = try context.require("campaigns.read", roles: Self.campaignRoles).companyID
        let id = try context.id("id", as: CampaignID.self)
        return try await database.withTransaction { transaction in
            guard let campaign = try await CampaignStore.find(id, company: company, in: transaction) else { throw APIError.notFound("campaign") }
            return CampaignView(campaign, counts: try await CampaignStore.counts([id], in: transaction)[id])
        }
    }

    /// CA-37: send now or at a time (D-14: at most 90 days ahead). CA-39 stage one: the wallet must cover the
    /// estimate now, else 402 `INSUFFICIENTBALANCE`. A paused campaign (CA-42) is re-confirmed the same way.
    @Sendable func scheduleCampaign(_ request: Request, context: AppRequestContext) async throws -> CampaignView {
        let company = try context.require("campaigns.manage", roles: Self.campaignRoles).companyID
        let id = try context.id("id", as: CampaignID.self)
        let body = try await request.decode(as: ScheduleRequest.self, context: context)
        let now = Date()
        let sendAt: Date
        switch (body.sendNow, body.sendAt) {
        case (true?, nil): sendAt = now
        case (nil, let at?), (false?, let at?):
            switch CampaignSchedule.check(sendAt: at, now: now) {
            case .inThePast?: throw APIError.unprocessable("campaign.send_at.past", "The send time has passed; pick a later time.", field: "send_at")
            case .tooFarAhead?:
                throw APIError.unprocessable("campaign.send_at.too_far", "A campaign is scheduled at most 90 days ahead (D-14).", field: "send_at")
            case nil: sendAt = at
            }
        default:
            throw APIError.badRequest("campaign.schedule.ambiguous", "Send either send_now: true or a send_at time.", field: "send_at")
        }
        let (campaign, category) = try await database.withTransaction { transaction in
            guard let campaign = try await CampaignStore.find(id, company: company, in: transaction) else { throw APIError.notFound("campaign") }
            guard campaign.status.canSchedule else {
                throw APIError.conflict("campaign.locked", "This campaign is \(campaign.status.rawValue); only drafts and paused campaigns are scheduled.", field: "id")
            }
            guard let template = try await TemplateStore.find(campaign.templateID, company: company, in: transaction), template.status.isSendable else {
                throw APIError.unprocessable("template.not_approved", "The campaign's template is no longer approved (CA-12).", field: "template_id")
            }
            return (campaign, WhatsAppConversationOpened.Category(rawValue: template.category) ?? .marketing)
        }
        if category != .service {
            let quote: BillingClient.Quote
            do {
                quote = try await billing.quote(company: company, recipients: campaign.recipients, category: category)
            } catch {
                throw error.apiError
            }
            guard quote.sufficient else {
                throw APIError.paymentRequired(
                    "INSUFFICIENTBALANCE",
                    "Insufficient balance: the campaign needs about \(quote.estimate) and \(quote.balance - quote.reserved) is available; at least ₹1.00 must remain. Recharge, then schedule again (CA-39).")
            }
        }
        return try await database.withTransaction { transaction in
            guard let current = try await CampaignStore.find(id, company: company, forUpdate: true, in: transaction), current.status.canSchedule else {
                throw APIError.conflict("campaign.locked", "This campaign changed meanwhile; reload it.", field: "id")
            }
            try await CampaignStore.setStatus(id, .scheduled, sendAt: sendAt, in: transaction)
            guard let updated = try await CampaignStore.find(id, company: company, in: transaction) else { throw APIError.notFound("campaign") }
            return CampaignView(updated, counts: nil)
        }
    }

    /// CA-38, D-14: only while scheduled (or paused, which has not begun) and at least 5 minutes before the send time;
    /// then 409 `campaign.locked`.
    @Sendable func cancelCampaign(_ request: Request, context: AppRequestContext) async throws -> CampaignView {
        let company = try context.require("campaigns.manage", roles: Self.campaignRoles).companyID
        let id = try context.id("id", as: CampaignID.self)
        return try await database.withTransaction { transaction in
            guard let campaign = try await CampaignStore.find(id, company: company, forUpdate: true, in: transaction) else {
                throw APIError.notFound("campaign")
            }
            guard CampaignSchedule.canCancel(campaign.status, sendAt: campaign.sendAt, now: Date()) else {
                throw APIError.conflict(
                    "campaign.locked",
                    campaign.status == .scheduled
                        ? "A scheduled campaign can be cancelled up to 5 minutes before its send time (CA-38); it is now locked."
                        : "This campaign is \(campaign.status.rawValue) and cannot be cancelled.", field: "id")
            }
            try await CampaignStore.setStatus(id, .cancelled, in: transaction)
            guard let updated = try await CampaignStore.find(id, company: company, in: transaction) else { throw APIError.notFound("campaign") }
            return CampaignView(updated, counts: nil)
        }
    }

    /// CA-43: drafts and failed campaigns only.
    @Sendable func deleteCampaign(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try context.require("campaigns.manage", roles: Self.campaignRoles).companyID
        let id = try context.id("id", as: CampaignID.self)
        try await database.withTransaction { transaction in
            guard let campaign = try await CampaignStore.find(id, company: company, forUpdate: true, in: transaction) else {
                throw APIError.notFound("campaign")
            }
            guard campaign.status.isDeletable, try await CampaignStore.delete(id, company: company, in: transaction) else {
                throw APIError.conflict(
                    "campaign.not_deletable", "Only draft and failed campaigns can be deleted (CA-43); this one is \(campaign.status.rawValue).",
                    field: "id")
            }
        }
        return Response(status: .noContent)
    }

    /// CA-36: the campaign's message, with the first contact's values, to one real device before launch.
    @Sendable func testSend(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<MessageView> {
        let company = try context.require("campaigns.manage", roles: Self.campaignRoles).companyID
        let id = try context.id("id", as: CampaignID.self)
        let body = try await request.decode(as: TestSendRequest.self, context: context)
        let to = try TextRules.phone(body.to, field: "to")
        guard try await database.withTransaction({ try await CampaignStore.find(id, company: company, in: $0) }) != nil else {
            throw APIError.notFound("campaign")
        }
        try await requireBalance(company)
        let outcome = try await database.withTransaction { transaction in
            guard let campaign = try await CampaignStore.find(id, company: company, in: transaction) else { throw APIError.notFound("campaign") }
            let first = try await AudienceStore.contacts(campaign.audienceID, limit: 1, in: transaction).first
            let values = first.map { campaign.mapping.resolve(for: $0.recipient) }
            return try await sends.template(
                SingleSend.TemplateRequest(
                    numberID: campaign.numberID, to: to, templateID: campaign.templateID,
                    payload: .template(body: values?.body ?? [], header: values?.header, button: values?.button), trail: nil),
                by: nil, company: company, in: transaction)
        }
        switch outcome {
        case .queued(let message): return EditedResponse(status: .accepted, response: MessageView(message))
        case .refused(let error): throw error
        }
    }

    /// CA-43: the per-recipient report as CSV, in upload order.
    @Sendable func campaignReport(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try context.require("campaigns.read", roles: Self.campaignRoles).companyID
        let id = try context.id("id", as: CampaignID.self)
        let (campaign, messages) = try await database.withTransaction { transaction in
            guard let campaign = try await CampaignStore.find(id, company: company, in: transaction) else { throw APIError.notFound("campaign") }
            return (campaign, try await MessageStore.ofCampaign(id, in: transaction))
        }
        var text = CSV.row(["Row", "Name", "Phone Number", "Status", "Message ID", "Error Code", "Error", "Failure Reason", "Sent At", "Delivered At", "Read At", "Failed At"])
        for message in messages {
            text += CSV.row([
                message.position.map(String.init) ?? "", message.name, message.recipient.e164, message.status.rawValue, message.providerMessageID ?? "",
                message.errorCode ?? "", message.errorMessage ?? "", message.errorCode.map { DeliveryFailureReason(code: $0).rawValue } ?? "",
                message.sentAt.map(Timestamp.format) ?? "",
                message.deliveredAt.map(Timestamp.format) ?? "", message.readAt.map(Timestamp.format) ?? "", message.failedAt.map(Timestamp.format) ?? "",
            ])
        }
        return CSV.response(text, filename: "campaign-\(campaign.id).csv")
    }

    /// BI-07: WhatsApp sends need ₹1 left after everything held.
    func requireBalance(_ company: CompanyID) async throws {
        do {
            let account = try await billing.account(company: company)
            guard WhatsAppBalance.allowsSend(status: account.status, balance: account.balance, reserved: account.reserved ?? .zero) else {
                throw WhatsAppBalance.refusal
            }
        } catch let failure as BillingClient.Failure {
            throw failure.apiError
        }
    }
}

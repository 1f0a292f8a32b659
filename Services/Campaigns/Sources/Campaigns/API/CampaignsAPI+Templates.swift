import Contracts
import Foundation
import Hummingbird
import Logging
import ServiceKit
import Storage

extension CampaignsAPI {
    /// Checks a template without saving it: every violation at once.
    @Sendable func validateTemplate(_ request: Request, context: AppRequestContext) async throws -> ValidationView {
        _ = try context.require("templates.manage", roles: Self.campaignRoles)
        let content = try await request.decode(as: TemplateContent.self, context: context)
        let violations = TemplateValidator.violations(of: content)
        return ValidationView(valid: violations.isEmpty, violations: violations)
    }

    /// A new draft; it must already pass every rule (CA-13 … CA-25, D-10), else 422 with all violations.
    @Sendable func createTemplate(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<TemplateView> {
        let company = try context.require("templates.manage", roles: Self.campaignRoles).companyID
        let content = try await request.decode(as: TemplateContent.self, context: context)
        try Self.requireValid(content)
        let now = Date()
        let template = StoredTemplate(
            id: UUID.random(), companyID: company, content: content, status: .draft, createdAt: now, updatedAt: now)
        guard let stored = try await database.withTransaction({ try await TemplateStore.insert(template, in: $0) }) else {
            throw APIError.conflict("template.exists", "A template named \(content.name) in \(content.language) exists already.", field: "name")
        }
        return EditedResponse(status: .created, response: TemplateView(stored))
    }

    @Sendable func templates(_ request: Request, context: AppRequestContext) async throws -> Page<TemplateView> {
        let company = try context.require("templates.read", roles: Self.messagingRoles).companyID
        var status: StoredTemplate.Status?
        if let text = request.uri.queryParameters["status"].map(String.init) {
            guard let parsed = StoredTemplate.Status(rawValue: text) else {
                throw APIError.badRequest("request.query_invalid", "status is draft, pending, approved, rejected, paused or disabled.", field: "status")
            }
            status = parsed
        }
        let list = try await database.withTransaction { try await TemplateStore.list(company: company, status: status, in: $0) }
        return Page(items: list.map(TemplateView.init), next: nil)
    }

    @Sendable func template(_ request: Request, context: AppRequestContext) async throws -> TemplateView {
        let company = try context.require("templates.read", roles: Self.messagingRoles).companyID
        let id = try Self.uuid(context)
        guard let template = try await database.withTransaction({ try await TemplateStore.find(id, company: company, in: $0) }) else {
            throw APIError.notFound("template")
        }
        return TemplateView(template)
    }

    /// CA-11: a draft can change freely, buttons included. CA-09: once submitted it is locked; an approved template is
    /// immutable and any change is a new template.
    @Sendable func updateTemplate(_ request: Request, context: AppRequestContext) async throws -> TemplateView {
        let company = try context.require("templates.manage", roles: Self.campaignRoles).companyID
        let id = try Self.uuid(context)
        let content = try await request.decode(as: TemplateContent.self, context: context)
        return try await database.withTransaction { transaction in
            guard let current = try await TemplateStore.find(id, company: company, forUpdate: true, in: transaction) else {
                throw APIError.notFound("template")
            }
            guard current.status == .draft else {
                throw APIError.conflict(
                    "template.immutable",
                    "This template is \(current.status.rawValue) and can no longer be edited (CA-09); create a new template with the changes.",
                    field: "id")
            }
            try Self.requireValid(content)
            guard let updated = try await TemplateStore.replaceDraft(id, company: company, content: content, in: transaction) else {
                throw APIError.conflict("template.exists", "A template named \(content.name) in \(content.language) exists already.", field: "name")
            }
            return updated
        }.view
    }

    /// D-11: sends the draft to the provider for review; the verdict comes back on the webhook.
    @Sendable func submitTemplate(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<TemplateView> {
        let company = try context.require("templates.manage", roles: Self.campaignRoles).companyID
        let id = try Self.uuid(context)
        // Pending before the provider is asked, under the row lock: a second submit gets 409, and the verdict
        // webhook, which may outrun the answer below, finds a submitted template.
        let (template, waba, submittedAt) = try await database.withTransaction { transaction in
            guard let template = try await TemplateStore.find(id, company: company, forUpdate: true, in: transaction) else {
                throw APIError.notFound("template")
            }
            guard template.status == .draft else {
                throw APIError.conflict("template.already_submitted", "This template was submitted already; it is \(template.status.rawValue).", field: "id")
            }
            guard let waba = try await CompanyStore.read(company, in: transaction).wabaID else {
                throw APIError.unprocessable(
                    "whatsapp.account.missing", "Connect the WhatsApp Business Account first (PUT /v1/whatsapp/account).", field: "waba_id")
            }
            try Self.requireValid(template.content)
            guard let submittedAt = try await TemplateStore.markPending(id, in: transaction) else {
                throw APIError.conflict("template.already_submitted", "This template was submitted already.", field: "id")
            }
            return (template, waba, submittedAt)
        }
        let body = try JSONEncoder().encode(MetaTemplatePayload(template.content))
        switch await cloud.submitTemplate(body, waba: waba) {
        case .submitted(let submitted):
            let view = try await database.withTransaction { transaction in
                guard try await TemplateStore.markSubmitted(
                    id, submittedAt: submittedAt, providerID: submitted.id, category: submitted.category?.lowercased(), in: transaction)
                else {
                    // The answer came after the sweep gave up on it; what the sweep decided stands.
                    context.logger.warning("late answer to a template submission; left to the sweep", metadata: ["template": "\(id)"])
                    guard let current = try await TemplateStore.find(id, company: company, in: transaction) else { throw APIError.notFound("template") }
                    return TemplateView(current)
                }
                // A verdict that arrived before this answer was kept for it.
                if let early = try await TemplateStore.takeEarlyReview(providerID: submitted.id, in: transaction) {
                    _ = try await TemplateStore.applyReview(
                        providerID: submitted.id, status: early.status, category: early.category, reason: early.reason, in: transaction)
                }
                guard let updated = try await TemplateStore.find(id, company: company, in: transaction) else { throw APIError.notFound("template") }
                return TemplateView(updated)
            }
            return EditedResponse(status: .ok, response: view)
        case .unanswered(let reason):
            // The provider may have the template: a draft again would be submitted twice, and a second submission of
            // the same name is refused. It stays pending, and the sweep settles it from the provider's list.
            context.logger.warning("template submission unanswered; left pending for the sweep", metadata: ["template": "\(id)", "reason": "\(reason)"])
            guard let pending = try await database.withTransaction({ try await TemplateStore.find(id, company: company, in: $0) }) else {
                throw APIError.notFound("template")
            }
            return EditedResponse(status: .accepted, response: TemplateView(pending))
        case .refused(let code, let message):
            try await database.withTransaction { try await TemplateStore.backToDraft(id, submittedAt: submittedAt, in: $0) }
            throw APIError.unprocessable("template.provider_refused", "The WhatsApp provider refused the template (\(code)): \(message)", field: "id")
        case .unavailable(let reason):
            try await database.withTransaction { try await TemplateStore.backToDraft(id, submittedAt: submittedAt, in: $0) }
            throw APIError(.serviceUnavailable, code: "provider.unavailable", message: "The WhatsApp provider could not be reached (\(reason)); try again.")
        }
    }

    /// Drafts and rejected templates only; a template a campaign used stays for that campaign's report.
    @Sendable func deleteTemplate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try context.require("templates.manage", roles: Self.campaignRoles).companyID
        let id = try Self.uuid(context)
        let deleted = try await database.withTransaction { transaction in
            guard try await TemplateStore.find(id, company: company, in: transaction) != nil else { throw APIError.notFound("template") }
            return try await TemplateStore.delete(id, company: company, in: transaction)
        }
        guard deleted else {
            throw APIError.conflict(
                "template.not_deletable", "Only drafts and rejected templates that no campaign used can be deleted.", field: "id")
        }
        return Response(status: .noContent)
    }

    static func requireValid(_ content: TemplateContent) throws {
        let violations = TemplateValidator.violations(of: content)
        guard violations.isEmpty else {
            throw APIError(
                .unprocessableContent, code: "template.invalid",
                message: "The template breaks \(violations.count) rule\(violations.count == 1 ? "" : "s"); see violations.", field: "template",
                violations: violations.map { APIError.Violation(code: $0.code, field: $0.field, message: $0.message) })
        }
    }
}

extension StoredTemplate {
    fileprivate var view: TemplateView { TemplateView(self) }
}

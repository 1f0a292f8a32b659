import Contracts
import Foundation
import PostgresNIO
import Storage

/// A template and where it is in review (CA-08, CA-12, D-11).
struct StoredTemplate: Sendable {
    typealias Status = TemplateStatus

    var id: UUID
    var companyID: CompanyID
    var content: TemplateContent
    var status: Status
    var providerTemplateID: String?
    var reason: String?
    var submittedAt: Date?
    var decidedAt: Date?
    var createdAt: Date
    var updatedAt: Date

    /// CA-08: the provider may change the category; the stored content keeps it.
    var category: String { content.category }
}

enum TemplateStore {
    static let columns = """
        id, company_id, content::text, status, provider_template_id, reason, submitted_at, decided_at, created_at, updated_at
        """

    /// nil when the company already has a template of that name and language.
    static func insert(_ template: StoredTemplate, in transaction: Transaction) async throws -> StoredTemplate? {
        let schema = transaction.schema.rawValue
        let content = template.content
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).templates (id, company_id, name, language, category, content, status)
            VALUES (\(template.id), \(template.companyID.uuid), \(content.name), \(content.language), \(content.category),
                    \(try JSONText.encode(content))::jsonb, 'draft')
            ON CONFLICT (company_id, name, language) DO NOTHING
            RETURNING \(unescaped: columns)
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// CA-09, CA-11: only drafts change. nil when another template already has the new name and language.
    /// The draft with new content; nil when its new name and language are another template's (or it is no draft).
    static func replaceDraft(_ id: UUID, company: CompanyID, content: TemplateContent, in transaction: Transaction) async throws -> StoredTemplate? {
        let schema = transaction.schema.rawValue
        do {
            let rows = try await transaction.query(
                """
                UPDATE \(unescaped: schema).templates SET name = \(content.name), language = \(content.language), category = \(content.category),
                    content = \(try JSONText.encode(content))::jsonb, updated_at = now()
                WHERE id = \(id) AND company_id = \(company.uuid) AND status = 'draft'
                RETURNING \(unescaped: columns)
                """)
            for try await row in rows { return try decode(row) }
            return nil
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            // Renamed to a name and language another template of the company has.
            return nil
        }
    }

    static func find(_ id: UUID, company: CompanyID, forUpdate: Bool = false, in transaction: Transaction) async throws -> StoredTemplate? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).templates WHERE id = \(id) AND company_id = \(company.uuid)
            \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// For the sender, which knows a template by id only.
    static func find(_ id: UUID, in transaction: Transaction) async throws -> StoredTemplate? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query("SELECT \(unescaped: columns) FROM \(unescaped: schema).templates WHERE id = \(id)")
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func list(company: CompanyID, status: StoredTemplate.Status?, in transaction: Transaction) async throws -> [StoredTemplate] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).templates
            WHERE company_id = \(company.uuid) AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
            ORDER BY created_at DESC, id LIMIT 1000
            """)
        var templates: [StoredTemplate] = []
        for try await row in rows { templates.append(try decode(row)) }
        return templates
    }

    /// Answers the submission's time, which names it: a late answer is recorded only on the submission it answers.
    static func markPending(_ id: UUID, in transaction: Transaction) async throws -> Date? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).templates SET status = 'pending', submitted_at = now(), updated_at = now()
            WHERE id = \(id) AND status = 'draft' RETURNING submitted_at
            """)
        for try await submitted in rows.decode(Date.self) { return submitted }
        return nil
    }

    /// A template left pending without the provider's id for longer than a submission takes: the service stopped
    /// between marking it pending and recording the provider's answer. With its business account, to ask the provider,
    /// and when it was submitted, so that settling it never touches a submission made since. In no fixed order, so a
    /// few the provider cannot answer about do not keep the others waiting.
    static func lostSubmissions(olderThan: Date, limit: Int, in transaction: Transaction) async throws -> [LostSubmission] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT t.id, t.name, t.language, c.waba_id, t.submitted_at FROM \(unescaped: schema).templates t
            JOIN \(unescaped: schema).companies c ON c.company_id = t.company_id
            WHERE t.status = 'pending' AND t.provider_template_id IS NULL AND t.submitted_at < \(olderThan) AND c.waba_id IS NOT NULL
            ORDER BY random() LIMIT \(limit)
            """)
        var found: [LostSubmission] = []
        for try await (id, name, language, waba, submitted) in rows.decode((UUID, String, String, String, Date).self) {
            found.append(LostSubmission(id: id, name: name, language: language, waba: waba, submittedAt: submitted))
        }
        return found
    }

    struct LostSubmission: Sendable {
        var id: UUID
        var name: String
        var language: String
        var waba: String
        var submittedAt: Date
    }

    /// The provider refused the submission made at `submittedAt`, could not be reached, or (a lost submission) never
    /// got it: the template is a draft again, if it is still that submission.
    static func backToDraft(_ id: UUID, submittedAt: Date, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).templates SET status = 'draft', submitted_at = NULL, updated_at = now()
            WHERE id = \(id) AND status = 'pending' AND provider_template_id IS NULL AND submitted_at = \(submittedAt)
            """)
    }

    /// Records the provider's id and the category it assigned (CA-08) on the submission made at `submittedAt`, if the
    /// template is still that submission (the sweep may have settled or reset it while the answer was late); the
    /// status stays pending, for the verdict. Answers whether it was.
    static func markSubmitted(_ id: UUID, submittedAt: Date, providerID: String, category: String?, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).templates SET provider_template_id = \(providerID), updated_at = now(),
                category = COALESCE(\(category), category),
                content = CASE WHEN \(category)::text IS NULL THEN content ELSE jsonb_set(content, '{category}', to_jsonb(\(category)::text)) END
            WHERE id = \(id) AND status = 'pending' AND provider_template_id IS NULL AND submitted_at = \(submittedAt)
            RETURNING id
            """)
        for try await _ in rows { return true }
        return false
    }

    /// A verdict for a template id not recorded yet, kept until the submit call records it.
    static func keepEarlyReview(providerID: String, status: StoredTemplate.Status?, category: String?, reason: String?, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).early_reviews (provider_template_id, status, category, reason)
            VALUES (\(providerID), \(status?.rawValue), \(category), \(reason))
            ON CONFLICT (provider_template_id) DO UPDATE SET status = COALESCE(excluded.status, early_reviews.status),
                category = COALESCE(excluded.category, early_reviews.category), reason = COALESCE(excluded.reason, early_reviews.reason)
            """)
    }

    static func takeEarlyReview(providerID: String, in transaction: Transaction) async throws -> (status: StoredTemplate.Status?, category: String?, reason: String?)? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "DELETE FROM \(unescaped: schema).early_reviews WHERE provider_template_id = \(providerID) RETURNING status, category, reason")
        for try await (status, category, reason) in rows.decode((String?, String?, String?).self) {
            return (status.flatMap(StoredTemplate.Status.init(rawValue:)), category, reason)
        }
        return nil
    }

    /// D-11, CA-08, CA-12: the provider's verdict, by its template id. Answers whether a template matched.
    static func applyReview(
        providerID: String, status: StoredTemplate.Status?, category: String?, reason: String?, in transaction: Transaction
    ) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).templates SET
                status = COALESCE(\(status?.rawValue), status),
                reason = CASE WHEN \(status?.rawValue)::text IS NULL THEN reason ELSE \(reason) END,
                decided_at = CASE WHEN \(status?.rawValue)::text IS NULL THEN decided_at ELSE now() END,
                category = COALESCE(\(category), category),
                content = CASE WHEN \(category)::text IS NULL THEN content ELSE jsonb_set(content, '{category}', to_jsonb(\(category)::text)) END,
                updated_at = now()
            WHERE provider_template_id = \(providerID)
              AND NOT (status = 'approved' AND COALESCE(\(status?.rawValue)::text, '') = 'rejected')
            RETURNING id
            """)
        for try await _ in rows { return true }
        return false
    }

    /// Drafts and refused templates can be deleted; one a campaign uses cannot (the campaign keeps its template).
    static func delete(_ id: UUID, company: CompanyID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            DELETE FROM \(unescaped: schema).templates t WHERE t.id = \(id) AND t.company_id = \(company.uuid)
                AND t.status IN ('draft', 'rejected')
                AND NOT EXISTS (SELECT 1 FROM \(unescaped: schema).campaigns c WHERE c.template_id = t.id)
                AND NOT EXISTS (SELECT 1 FROM \(unescaped: schema).messages m WHERE m.template_id = t.id)
            RETURNING t.id
            """)
        for try await _ in rows { return true }
        return false
    }

    static func decode(_ row: PostgresRow) throws -> StoredTemplate {
        let (id, company, content, status, providerID, reason, submitted, decided, created, updated) = try row.decode(
            (UUID, UUID, String, String, String?, String?, Date?, Date?, Date, Date).self)
        return StoredTemplate(
            id: id, companyID: CompanyID(company), content: try JSONText.decode(TemplateContent.self, from: content),
            status: StoredTemplate.Status(rawValue: status) ?? .draft, providerTemplateID: providerID, reason: reason,
            submittedAt: submitted, decidedAt: decided, createdAt: created, updatedAt: updated)
    }
}

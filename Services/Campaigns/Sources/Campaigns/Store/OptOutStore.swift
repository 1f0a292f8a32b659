import Contracts
import Foundation
import PostgresNIO
import Storage

/// CA-01: per company and contact, the customer's latest choice and the business's own opt-out, kept apart.
enum OptOutStore {
    struct Entry: Sendable {
        var contact: String
        var customerOut: Bool
        var customerSource: OptOut.Source?
        var customerAt: Date?
        var businessOut: Bool
        var businessAt: Date?
    }

    /// The customer's choice (`.keyword` or `.provider`), unless a later one is on file (webhooks arrive out of order; a
    /// tie goes to opting out). Meta's marketing-only stop never narrows a STOP the customer wrote.
    static func recordCustomer(
        company: CompanyID, contact: PhoneNumber, optedOut: Bool, source: OptOut.Source, at: Date, in transaction: Transaction
    ) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).opt_outs (company_id, contact, customer_out, customer_source, customer_at)
            VALUES (\(company.uuid), \(contact.e164), \(optedOut), \(source.rawValue), \(at))
            ON CONFLICT (company_id, contact) DO UPDATE
                SET customer_out = excluded.customer_out, customer_source = excluded.customer_source, customer_at = excluded.customer_at
                WHERE (opt_outs.customer_at IS NULL OR opt_outs.customer_at < excluded.customer_at
                       OR (opt_outs.customer_at = excluded.customer_at AND excluded.customer_out))
                  AND NOT (excluded.customer_source = 'provider' AND opt_outs.customer_out AND opt_outs.customer_source = 'keyword')
            """)
    }

    /// The business's own opt-out, set or lifted.
    static func recordBusiness(company: CompanyID, contact: PhoneNumber, optedOut: Bool, at: Date, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).opt_outs (company_id, contact, business_out, business_at)
            VALUES (\(company.uuid), \(contact.e164), \(optedOut), \(at))
            ON CONFLICT (company_id, contact) DO UPDATE SET business_out = excluded.business_out, business_at = excluded.business_at
            """)
    }

    /// CA-01: a template of the category `category` (an SQL expression) to the contact of `o` is blocked by the
    /// business's opt-out, the customer's STOP, or, for marketing only, Meta's 131050.
    private static func blocking(category: String) -> String {
        "(o.business_out OR (o.customer_out AND (o.customer_source = 'keyword' OR \(category) = 'marketing')))"
    }

    /// The contacts among `contacts` a template of `category` must not go to, as E.164.
    static func blocked(company: CompanyID, contacts: [PhoneNumber], category: String, in transaction: Transaction) async throws -> Set<String> {
        guard !contacts.isEmpty else { return [] }
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT o.contact FROM \(unescaped: schema).opt_outs o, (SELECT \(category)::text AS wanted) c
            WHERE o.company_id = \(company.uuid) AND o.contact = ANY(\(contacts.map(\.e164))) AND \(unescaped: blocking(category: "c.wanted"))
            """)
        var found: Set<String> = []
        for try await contact in rows.decode(String.self) { found.insert(contact) }
        return found
    }

    /// The template messages among `ids` whose recipient a choice made since they were queued now blocks.
    static func blockedMessages(_ ids: [UUID], in transaction: Transaction) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT m.id FROM \(unescaped: schema).messages m
            JOIN \(unescaped: schema).templates t ON t.company_id = m.company_id AND t.id = m.template_id
            JOIN \(unescaped: schema).opt_outs o ON o.company_id = m.company_id AND o.contact = m.recipient
            WHERE m.id = ANY(\(ids)) AND m.kind = 'template' AND \(unescaped: blocking(category: "t.category"))
            """)
        var found: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { found.insert(id) }
        return found
    }

    static func find(company: CompanyID, contact: PhoneNumber, in transaction: Transaction) async throws -> Entry? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).opt_outs
            WHERE company_id = \(company.uuid) AND contact = \(contact.e164) FOR UPDATE
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// Contacts opted out now in any way, in contact order; `after` continues from the previous page's last contact.
    static func list(company: CompanyID, after: String?, limit: Int, in transaction: Transaction) async throws -> [Entry] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).opt_outs
            WHERE company_id = \(company.uuid) AND (customer_out OR business_out) AND (\(after)::text IS NULL OR contact > \(after))
            ORDER BY contact LIMIT \(limit)
            """)
        var entries: [Entry] = []
        for try await row in rows { entries.append(try decode(row)) }
        return entries
    }

    private static let columns = "contact, customer_out, customer_source, customer_at, business_out, business_at"

    private static func decode(_ row: PostgresRow) throws -> Entry {
        let (contact, customerOut, source, customerAt, businessOut, businessAt) = try row.decode((String, Bool, String?, Date?, Bool, Date?).self)
        return Entry(
            contact: contact, customerOut: customerOut, customerSource: source.flatMap(OptOut.Source.init(rawValue:)), customerAt: customerAt,
            businessOut: businessOut, businessAt: businessAt)
    }
}

import Contracts
import Foundation
import PostgresNIO
import Storage

/// CA-01: each contact's latest opt-out choice per company.
enum OptOutStore {
    struct Entry: Sendable {
        var contact: String
        var optedOut: Bool
        var source: OptOut.Source
        var changedAt: Date
    }

    /// Keeps the choice unless a later one is on file (webhooks arrive out of order). True when it was kept.
    @discardableResult
    static func record(
        company: CompanyID, contact: PhoneNumber, optedOut: Bool, source: OptOut.Source, at: Date, in transaction: Transaction
    ) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).opt_outs (company_id, contact, opted_out, source, changed_at)
            VALUES (\(company.uuid), \(contact.e164), \(optedOut), \(source.rawValue), \(at))
            ON CONFLICT (company_id, contact) DO UPDATE
                SET opted_out = excluded.opted_out, source = excluded.source, changed_at = excluded.changed_at
                WHERE opt_outs.changed_at <= excluded.changed_at
            RETURNING 1
            """)
        for try await _ in rows { return true }
        return false
    }

    /// The contacts among `contacts` who opted out, as E.164.
    static func optedOut(company: CompanyID, contacts: [PhoneNumber], in transaction: Transaction) async throws -> Set<String> {
        guard !contacts.isEmpty else { return [] }
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT contact FROM \(unescaped: schema).opt_outs
            WHERE company_id = \(company.uuid) AND opted_out AND contact = ANY(\(contacts.map(\.e164)))
            """)
        var found: Set<String> = []
        for try await contact in rows.decode(String.self) { found.insert(contact) }
        return found
    }

    static func find(company: CompanyID, contact: PhoneNumber, in transaction: Transaction) async throws -> Entry? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT contact, opted_out, source, changed_at FROM \(unescaped: schema).opt_outs
            WHERE company_id = \(company.uuid) AND contact = \(contact.e164) FOR UPDATE
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// Who is opted out now, newest first; `after` continues from the previous page's last entry.
    static func list(company: CompanyID, after: (Date, String)?, limit: Int, in transaction: Transaction) async throws -> [Entry] {
        let schema = transaction.schema.rawValue
        let at = after?.0, contact = after?.1
        let rows = try await transaction.query(
            """
            SELECT contact, opted_out, source, changed_at FROM \(unescaped: schema).opt_outs
            WHERE company_id = \(company.uuid) AND opted_out AND (\(at)::timestamptz IS NULL OR (changed_at, contact) < (\(at), \(contact)))
            ORDER BY changed_at DESC, contact DESC LIMIT \(limit)
            """)
        var entries: [Entry] = []
        for try await row in rows { entries.append(try decode(row)) }
        return entries
    }

    private static func decode(_ row: PostgresRow) throws -> Entry {
        let (contact, optedOut, source, changedAt) = try row.decode((String, Bool, String, Date).self)
        return Entry(contact: contact, optedOut: optedOut, source: OptOut.Source(rawValue: source) ?? .api, changedAt: changedAt)
    }
}

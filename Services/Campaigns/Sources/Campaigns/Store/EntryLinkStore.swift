import Contracts
import Foundation
import PostgresNIO
import Storage

/// CA-57: the company's entry links.
enum EntryLinkStore {
    struct Entry: Sendable, Equatable {
        var id: UUID
        var numberID: UUID
        var code: String
        var name: String
        var kind: EntryLink.Kind
        var text: String
        var createdAt: Date
        /// The number as customers dial it, for the link.
        var displayNumber: String
    }

    /// A link with its number's display number (`l`: the links, `n`: the numbers).
    private static let columns = "l.id, l.number_id, l.code, l.name, l.kind, l.text, l.created_at, n.display_number"

    /// Inserts with a fresh code; answers nil when the code is taken (the caller draws another).
    static func insert(
        id: UUID, company: CompanyID, number: UUID, code: String, name: String, kind: EntryLink.Kind, text: String, in transaction: Transaction
    ) async throws -> Entry? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            WITH l AS (
                INSERT INTO \(unescaped: schema).entry_links (id, company_id, number_id, code, name, kind, text)
                VALUES (\(id), \(company.uuid), \(number), \(code), \(name), \(kind.rawValue), \(text))
                ON CONFLICT (code) DO NOTHING
                RETURNING *)
            SELECT \(unescaped: columns) FROM l JOIN \(unescaped: schema).numbers n ON n.id = l.number_id
            """)
        return try await entries(rows).first
    }

    /// The company's links, the newest first: `limit` of them older than `cursor` (the last of the page before), with
    /// the cursor of the last one. Exact: microseconds, as PostgreSQL keeps them, and the id for links made at once.
    static func list(company: CompanyID, before cursor: Cursor?, limit: Int, in transaction: Transaction) async throws -> (entries: [Entry], last: Cursor?) {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns), (extract(epoch FROM l.created_at) * 1000000)::int8
            FROM \(unescaped: schema).entry_links l JOIN \(unescaped: schema).numbers n ON n.id = l.number_id
            WHERE l.company_id = \(company.uuid)
              AND (\(cursor?.microseconds)::int8 IS NULL
                   OR (l.created_at, l.id) < (timestamptz 'epoch' + \(cursor?.microseconds) * interval '1 microsecond', \(cursor?.key)))
            ORDER BY l.created_at DESC, l.id DESC
            LIMIT \(limit)
            """)
        var found: [Entry] = []
        var last: Cursor?
        for try await (id, number, code, name, kind, text, created, display, microseconds) in rows.decode(
            (UUID, UUID, String, String, String, String, Date, String, Int64).self)
        {
            found.append(entry(id, number, code, name, kind, text, created, display))
            last = Cursor(microseconds: microseconds, key: id)
        }
        return (found, last)
    }

    typealias Cursor = PageCursor<UUID>

    /// The company's link with this code: another company's code means nothing here.
    static func find(code: String, company: CompanyID, in transaction: Transaction) async throws -> Entry? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).entry_links l JOIN \(unescaped: schema).numbers n ON n.id = l.number_id
            WHERE l.code = \(code) AND l.company_id = \(company.uuid)
            """)
        return try await entries(rows).first
    }

    static func delete(_ id: UUID, company: CompanyID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "DELETE FROM \(unescaped: schema).entry_links WHERE id = \(id) AND company_id = \(company.uuid) RETURNING id")
        for try await _ in rows { return true }
        return false
    }

    private static func entries(_ rows: PostgresRowSequence) async throws -> [Entry] {
        var found: [Entry] = []
        for try await (id, number, code, name, kind, text, created, display) in rows.decode(
            (UUID, UUID, String, String, String, String, Date, String).self)
        {
            found.append(entry(id, number, code, name, kind, text, created, display))
        }
        return found
    }

    private static func entry(
        _ id: UUID, _ number: UUID, _ code: String, _ name: String, _ kind: String, _ text: String, _ created: Date, _ display: String
    ) -> Entry {
        Entry(
            id: id, numberID: number, code: code, name: name, kind: EntryLink.Kind(rawValue: kind) ?? .link, text: text, createdAt: created,
            displayNumber: display)
    }
}

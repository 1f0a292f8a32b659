import Contracts
import Foundation
import PostgresNIO
import Storage

/// CA-52: the company's canned messages, by id and by shortcut.
enum CannedMessageStore {
    struct Entry: Sendable, Equatable {
        var id: UUID
        var shortcut: String
        var text: String
        var createdAt: Date
        var updatedAt: Date
    }

    private static let columns = "id, shortcut, text, created_at, updated_at"

    /// Inserts, or answers nil when the company already has the shortcut.
    static func insert(id: UUID, company: CompanyID, shortcut: String, text: String, in transaction: Transaction) async throws -> Entry? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).canned_messages (id, company_id, shortcut, text)
            VALUES (\(id), \(company.uuid), \(shortcut), \(text))
            ON CONFLICT (company_id, shortcut) DO NOTHING
            RETURNING \(unescaped: columns)
            """)
        return try await first(rows)
    }

    enum Update: Sendable, Equatable {
        case updated(Entry)
        case missing
        case shortcutTaken
    }

    static func update(_ id: UUID, company: CompanyID, shortcut: String, text: String, in transaction: Transaction) async throws -> Update {
        let schema = transaction.schema.rawValue
        // Another message of the company holding the shortcut is found first, so the unique key never aborts the
        // transaction; two renames racing to one shortcut still meet it, and the loser's request fails whole.
        let taken = try await transaction.query(
            """
            SELECT 1 FROM \(unescaped: schema).canned_messages WHERE company_id = \(company.uuid) AND shortcut = \(shortcut) AND id <> \(id)
            """)
        for try await _ in taken { return .shortcutTaken }
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).canned_messages SET shortcut = \(shortcut), text = \(text), updated_at = now()
            WHERE id = \(id) AND company_id = \(company.uuid)
            RETURNING \(unescaped: columns)
            """)
        return try await first(rows).map(Update.updated) ?? .missing
    }

    static func find(_ id: UUID, company: CompanyID, in transaction: Transaction) async throws -> Entry? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT \(unescaped: columns) FROM \(unescaped: schema).canned_messages WHERE id = \(id) AND company_id = \(company.uuid)")
        return try await first(rows)
    }

    /// The library by shortcut, narrowed to those whose shortcut or text contains `search` (any case), a page after
    /// the shortcut `after`.
    static func list(company: CompanyID, search: String?, after: String?, limit: Int, in transaction: Transaction) async throws -> [Entry] {
        let schema = transaction.schema.rawValue
        // The search is matched literally: LIKE's own wildcards in it are escaped.
        let pattern = search.map { "%" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%" }
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).canned_messages
            WHERE company_id = \(company.uuid) AND shortcut > \(after ?? "")
              AND (\(pattern)::text IS NULL OR shortcut ILIKE \(pattern) OR text ILIKE \(pattern))
            ORDER BY shortcut LIMIT \(limit)
            """)
        var entries: [Entry] = []
        for try await row in rows { entries.append(try decode(row)) }
        return entries
    }

    enum Deletion: Sendable, Equatable {
        case deleted
        case missing
        case inUse
    }

    /// CA-53: a message a number's automatic reply uses stays until the reply is changed.
    static func delete(_ id: UUID, company: CompanyID, in transaction: Transaction) async throws -> Deletion {
        let schema = transaction.schema.rawValue
        // The row is locked first, so an auto reply being pointed at it meanwhile waits and then finds it gone.
        let locked = try await transaction.query(
            "SELECT 1 FROM \(unescaped: schema).canned_messages WHERE id = \(id) AND company_id = \(company.uuid) FOR UPDATE")
        var found = false
        for try await _ in locked { found = true }
        guard found else { return .missing }
        let users = try await transaction.query(
            """
            SELECT 1 FROM \(unescaped: schema).auto_replies WHERE company_id = \(company.uuid) AND (greeting_id = \(id) OR away_id = \(id)) LIMIT 1
            """)
        for try await _ in users { return .inUse }
        try await transaction.query("DELETE FROM \(unescaped: schema).canned_messages WHERE id = \(id) AND company_id = \(company.uuid)")
        return .deleted
    }

    private static func first(_ rows: PostgresRowSequence) async throws -> Entry? {
        for try await row in rows { return try decode(row) }
        return nil
    }

    private static func decode(_ row: PostgresRow) throws -> Entry {
        let (id, shortcut, text, created, updated) = try row.decode((UUID, String, String, Date, Date).self)
        return Entry(id: id, shortcut: shortcut, text: text, createdAt: created, updatedAt: updated)
    }
}

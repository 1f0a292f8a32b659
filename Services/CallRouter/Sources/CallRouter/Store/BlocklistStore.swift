import Contracts
import Foundation
import PostgresNIO
import Storage

/// CR-63, CR-64: a blocked number and why.
struct BlockedNumber: Hashable, Sendable {
    var number: PhoneNumber
    var reason: String
    var blockedBy: UserID?
    var createdAt: Date
}

enum BlocklistStore {
    static func add(_ entry: BlockedNumber, company: CompanyID, in transaction: Transaction) async throws -> BlockedNumber {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).blocklist (company_id, number, reason, blocked_by)
            VALUES (\(company.uuid), \(entry.number.e164), \(entry.reason), \(entry.blockedBy?.uuid))
            ON CONFLICT (company_id, number) DO UPDATE SET reason = excluded.reason
            RETURNING number, reason, blocked_by, created_at
            """)
        for try await row in rows { return try decode(row) }
        throw APIStoreError.missingRow("blocklist")
    }

    static func remove(_ number: PhoneNumber, company: CompanyID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "DELETE FROM \(unescaped: schema).blocklist WHERE company_id = \(company.uuid) AND number = \(number.e164) RETURNING number")
        for try await _ in rows { return true }
        return false
    }

    /// Newest first; `search` matches a part of the number or the reason.
    static func list(company: CompanyID, search: String?, limit: Int, in transaction: Transaction) async throws -> [BlockedNumber] {
        let schema = transaction.schema.rawValue
        let pattern = search.map { "%" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%" }
        let rows = try await transaction.query(
            """
            SELECT number, reason, blocked_by, created_at FROM \(unescaped: schema).blocklist
            WHERE company_id = \(company.uuid) AND (\(pattern)::text IS NULL OR number LIKE \(pattern) OR reason ILIKE \(pattern))
            ORDER BY created_at DESC, number LIMIT \(limit)
            """)
        var entries: [BlockedNumber] = []
        for try await row in rows { entries.append(try decode(row)) }
        return entries
    }

    static func decode(_ row: PostgresRow) throws -> BlockedNumber {
        let (number, reason, by, created) = try row.decode((String, String, UUID?, Date).self)
        return BlockedNumber(
            number: PhoneNumber(e164: number) ?? PhoneNumber(e164: "+910000000000")!, reason: reason, blockedBy: by.map(UserID.init), createdAt: created)
    }
}

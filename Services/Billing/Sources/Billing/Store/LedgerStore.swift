import Contracts
import Foundation
import PostgresNIO
import Storage

enum LedgerStore {
    static func entries(company: CompanyID, filter: LedgerFilter, in database: Database) async throws -> [LedgerEntryView] {
        let schema = database.schema.rawValue
        let rows = try await database.query(
            """
            SELECT id, source, kind, debit, credit, amount, quantity, description, occurred_at, recorded_at
            FROM \(unescaped: schema).ledger
            WHERE company_id = \(company.uuid)
              AND (\(filter.kind)::text IS NULL OR kind = \(filter.kind))
              AND (\(filter.from)::timestamptz IS NULL OR occurred_at >= \(filter.from))
              AND (\(filter.to)::timestamptz IS NULL OR occurred_at < \(filter.to))
              AND (\(filter.before)::bigint IS NULL OR id < \(filter.before))
            ORDER BY id DESC LIMIT \(filter.limit)
            """)
        var entries: [LedgerEntryView] = []
        for try await (id, source, kind, debit, credit, amount, quantity, description, occurred, recorded) in rows.decode(
            (Int64, String, String, String, String, Int64, Int64?, String, Date, Date).self)
        {
            let posting = Posting(
                companyID: company, source: source, kind: kind, debit: debit, credit: credit, amount: Money(paise: amount),
                quantity: quantity, description: description, occurredAt: occurred)
            entries.append(LedgerEntryView(
                id: id, source: source, kind: kind, debit: debit, credit: credit, amount: posting.amount, walletAmount: posting.walletEffect,
                quantity: quantity, description: description, occurredAt: occurred, recordedAt: recorded))
        }
        return entries
    }
}

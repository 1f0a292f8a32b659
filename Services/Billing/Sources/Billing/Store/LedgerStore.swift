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

extension LedgerStore {
    /// The wallet balance before `from`, and the wallet movements from `from` to `to` by entry kind.
    static func walletTotals(company: CompanyID, from: Date, to: Date, in database: Database) async throws -> (opening: Money, byKind: [String: Money]) {
        let schema = database.schema.rawValue
        let rows = try await database.query(
            """
            SELECT CASE WHEN occurred_at < \(from) THEN '' ELSE kind END AS bucket,
                   sum(CASE WHEN credit = 'wallet' THEN amount WHEN debit = 'wallet' THEN -amount ELSE 0 END)::bigint
            FROM \(unescaped: schema).ledger
            WHERE company_id = \(company.uuid) AND occurred_at < \(to) AND (credit = 'wallet' OR debit = 'wallet')
            GROUP BY bucket
            """)
        var opening = Money.zero
        var byKind: [String: Money] = [:]
        for try await (bucket, total) in rows.decode((String, Int64).self) {
            if bucket.isEmpty { opening = Money(paise: total) } else { byKind[bucket] = Money(paise: total) }
        }
        return (opening, byKind)
    }
}

extension LedgerStore {
    /// The sum of a kind's entries of a company in a period, whoever paid them (wallet or direct payment).
    static func total(kind: String, company: CompanyID, from: Date, to: Date, in transaction: Transaction) async throws -> Money {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT COALESCE(sum(amount), 0)::bigint FROM \(unescaped: schema).ledger
            WHERE company_id = \(company.uuid) AND kind = \(kind) AND occurred_at >= \(from) AND occurred_at < \(to)
            """)
        for try await total in rows.decode(Int64.self) { return Money(paise: total) }
        return .zero
    }

    /// Whether the company's ledger has an entry of this source (its unique key, so one index lookup).
    static func has(source: String, company: CompanyID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT 1 FROM \(unescaped: schema).ledger WHERE company_id = \(company.uuid) AND source = \(source)")
        for try await _ in rows { return true }
        return false
    }

    /// The sum of a company's entries whose source starts with `sourcePrefix` (the credit notes of one month's SLA).
    static func total(sourcePrefix: String, company: CompanyID, in transaction: Transaction) async throws -> Money {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT COALESCE(sum(amount), 0)::bigint FROM \(unescaped: schema).ledger
            WHERE company_id = \(company.uuid) AND starts_with(source, \(sourcePrefix))
            """)
        for try await total in rows.decode(Int64.self) { return Money(paise: total) }
        return .zero
    }
}

extension LedgerStore {
    struct SourceKey: Hashable, Sendable {
        var companyID: CompanyID
        var source: String
    }

    /// Where usage that the wallet did not pay for in full is recorded under its ledger source.
    enum PaidElsewhere: String {
        /// D-15: conversations drawn from a campaign's hold.
        case reservationDraws = "reservation_draws"
        /// BI-17: promotional SMS paid from the month's credits.
        case promoSMSCredits = "promo_sms_credit_uses"
    }

    /// The sources among `keys` already charged to the ledger or recorded in `elsewhere`: usage published again under
    /// a new event id is neither charged nor paid for again.
    static func recordedSources(
        _ keys: [(CompanyID, String)], orIn elsewhere: PaidElsewhere, in transaction: Transaction
    ) async throws -> Set<SourceKey> {
        guard !keys.isEmpty else { return [] }
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            WITH k AS (SELECT * FROM unnest(\(keys.map(\.0.uuid))::uuid[], \(keys.map(\.1))::text[]) AS k(company_id, source))
            SELECT l.company_id, l.source FROM \(unescaped: schema).ledger l JOIN k USING (company_id, source)
            UNION
            SELECT e.company_id, e.source FROM \(unescaped: schema).\(unescaped: elsewhere.rawValue) e JOIN k USING (company_id, source)
            """)
        var found: Set<SourceKey> = []
        for try await (company, source) in rows.decode((UUID, String).self) { found.insert(SourceKey(companyID: CompanyID(company), source: source)) }
        return found
    }
}

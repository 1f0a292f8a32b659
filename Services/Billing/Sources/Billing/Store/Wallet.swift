import Contracts
import Foundation
import PostgresNIO
import Storage

/// The only way money moves: postings are appended to the ledger, skipped when their source is already there
/// (so replays change nothing), and the cached balances move by exactly what was appended, in the same
/// transaction and under the accounts' row locks. Threshold crossings become events in the outbox.
enum Wallet {
    struct Change: Sendable {
        var companyID: CompanyID
        var before: Money
        var after: Money
        var crossings: [BalanceCrossing]
    }

    /// `accounts` must be locked by this transaction (`AccountStore.lock`) and cover every posting's company.
    @discardableResult
    static func append(
        _ postings: [Posting], accounts: [CompanyID: Account], outbox: Outbox, now: Date = Date(), in transaction: Transaction
    ) async throws -> [Change] {
        guard !postings.isEmpty else { return [] }
        let schema = transaction.schema.rawValue
        // One statement appends the entries and moves each balance by what was actually appended (duplicates by
        // source add nothing); the rows are already locked, so the order of the UPDATE cannot deadlock.
        let moved = try await transaction.query(
            """
            WITH inserted AS (
                INSERT INTO \(unescaped: schema).ledger
                    (company_id, source, kind, debit, credit, amount, quantity, description, occurred_at)
                SELECT company_id, source, kind, debit, credit, amount, NULLIF(quantity, -1), description, occurred_at
                FROM unnest(\(postings.map(\.companyID.uuid))::uuid[], \(postings.map(\.source))::text[], \(postings.map(\.kind))::text[],
                            \(postings.map(\.debit))::text[], \(postings.map(\.credit))::text[], \(postings.map(\.amount.paise))::bigint[],
                            \(postings.map { $0.quantity ?? -1 })::bigint[], \(postings.map(\.description))::text[],
                            \(postings.map(\.occurredAt))::timestamptz[])
                     AS p(company_id, source, kind, debit, credit, amount, quantity, description, occurred_at)
                ON CONFLICT (company_id, source) DO NOTHING
                RETURNING company_id,
                          CASE WHEN credit = 'wallet' THEN amount WHEN debit = 'wallet' THEN -amount ELSE 0 END AS effect
            ), deltas AS (
                SELECT company_id, sum(effect)::bigint AS delta FROM inserted GROUP BY company_id
            )
            UPDATE \(unescaped: schema).accounts AS a SET balance = a.balance + d.delta
            FROM deltas d WHERE a.company_id = d.company_id AND d.delta <> 0
            RETURNING a.company_id, d.delta
            """)
        var deltas: [CompanyID: Money] = [:]
        for try await (company, delta) in moved.decode((UUID, Int64).self) { deltas[CompanyID(company)] = Money(paise: delta) }

        var changes: [Change] = []
        var events: [EncodedEnvelope] = []
        for (company, delta) in deltas.sorted(by: { $0.key < $1.key }) {
            guard let account = accounts[company] else { throw BillingError.accountMissing(company) }
            let after = account.balance + delta
            var crossings = account.thresholds.crossings(from: account.balance, to: after)
            // A suspended account stays suspended; falling further publishes nothing new.
            if account.status == .suspended { crossings.removeAll { $0 == .suspended } }
            changes.append(Change(companyID: company, before: account.balance, after: after, crossings: crossings))
            events += try crossings.map { try event(for: $0, account: account, balance: after, now: now) }
        }
        let suspended = changes.filter { $0.crossings.contains(.suspended) }.map(\.companyID.uuid)
        if !suspended.isEmpty {
            try await transaction.query(
                """
                UPDATE \(unescaped: schema).accounts SET status = 'suspended', suspended_at = \(now)
                WHERE company_id = ANY(\(suspended)::uuid[])
                """)
        }
        let autoRecharges = changes.filter { BalanceThresholds.startsAutoRecharge($0.crossings) }.compactMap { accounts[$0.companyID] }
            .filter(\.autoRecharge)
        for account in autoRecharges { try await PaymentStore.startAutoRecharge(account, now: now, in: transaction) }
        try await outbox.enqueue(events, in: transaction)
        return changes
    }

    private static func event(for crossing: BalanceCrossing, account: Account, balance: Money, now: Date) throws -> EncodedEnvelope {
        let company = account.companyID
        switch crossing {
        case .low:
            return try EncodedEnvelope(Envelope(
                companyID: company, occurredAt: now, data: BalanceLow(balance: balance, threshold: account.thresholds.lowBalance)))
        case .minimum:
            return try EncodedEnvelope(Envelope(
                companyID: company, occurredAt: now, data: BalanceMinimum(balance: balance, threshold: account.thresholds.minimumBalance)))
        case .suspended:
            return try EncodedEnvelope(Envelope(
                companyID: company, occurredAt: now,
                data: AccountSuspended(balance: balance, creditLimit: account.thresholds.creditLimit, suspendedAt: now, reason: .creditLimit)))
        }
    }
}

import Contracts
import Foundation
import PostgresNIO
import Storage

/// BI-17: the promotional SMS credits each company spent, per calendar month.
enum PromoCreditStore {
    struct MonthKey: Hashable, Sendable {
        var companyID: CompanyID
        /// The month's first day as `yyyy-MM-dd` (`PromoSMSCredits.month(of:).label`).
        var month: String
    }

    struct Use: Sendable {
        var month: MonthKey
        /// The SMS's ledger source.
        var source: String
        var credits: Int64
    }

    /// The credits spent in each of `months`. Read under the companies' account locks, which a batch spending credits
    /// holds until it commits, so what is left cannot be spent twice.
    static func used(_ months: Set<MonthKey>, in transaction: Transaction) async throws -> [MonthKey: Int64] {
        guard !months.isEmpty else { return [:] }
        let keys = Array(months)
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT u.company_id, to_char(u.month, 'YYYY-MM-DD'), sum(u.credits)::bigint
            FROM \(unescaped: schema).promo_sms_credit_uses u
            JOIN (SELECT company_id, month::date FROM unnest(\(keys.map(\.companyID.uuid))::uuid[], \(keys.map(\.month))::text[])
                  AS k(company_id, month)) k USING (company_id, month)
            GROUP BY 1, 2
            """)
        var used: [MonthKey: Int64] = [:]
        for try await (company, month, credits) in rows.decode((UUID, String, Int64).self) {
            used[MonthKey(companyID: CompanyID(company), month: month)] = credits
        }
        return used
    }

    /// Records the credits each SMS spent; an SMS already recorded keeps its first record.
    static func record(_ uses: [Use], in transaction: Transaction) async throws {
        guard !uses.isEmpty else { return }
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).promo_sms_credit_uses (company_id, source, month, credits)
            SELECT company_id, source, month::date, credits::int
            FROM unnest(\(uses.map(\.month.companyID.uuid))::uuid[], \(uses.map(\.source))::text[], \(uses.map(\.month.month))::text[],
                        \(uses.map(\.credits))::bigint[]) AS u(company_id, source, month, credits)
            ON CONFLICT DO NOTHING
            """)
    }

    /// The plan's monthly allowance and what the company spent of it in `month`.
    static func allowance(_ month: MonthKey, plan: Plan, in transaction: Transaction) async throws -> (allowance: Int64, used: Int64) {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT p.promo_sms_credits::bigint,
                   (SELECT coalesce(sum(credits), 0)::bigint FROM \(unescaped: schema).promo_sms_credit_uses
                    WHERE company_id = \(month.companyID.uuid) AND month = \(month.month)::date)
            FROM \(unescaped: schema).plans p WHERE p.plan = \(plan.rawValue)
            """)
        for try await (allowance, used) in rows.decode((Int64, Int64).self) { return (allowance, used) }
        return (0, 0)
    }
}

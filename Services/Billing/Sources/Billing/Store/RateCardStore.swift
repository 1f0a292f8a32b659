import Contracts
import PostgresNIO
import Storage

/// The rate cards of every plan. Small (a few dozen rows), so a rating batch reads all of them at once, and a
/// re-import (BI-15) is seen by the very next batch on every replica.
enum RateCardStore {
    static func load(in transaction: Transaction) async throws -> [Plan: RateCard] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT p.plan, p.pulse_seconds, p.promo_sms_credits, r.item, r.rate
            FROM \(unescaped: schema).plans p JOIN \(unescaped: schema).rates r USING (plan)
            """)
        var plans: [Plan: (pulse: Pulse, promoSMSCredits: Int64)] = [:]
        var rates: [Plan: [RateItem: Money]] = [:]
        for try await (planName, pulseSeconds, promoCredits, item, rate) in rows.decode((String, Int, Int, String, Int64).self) {
            guard let plan = Plan(rawValue: planName) else { continue }
            plans[plan] = (Pulse(rawValue: pulseSeconds) ?? .sixtySeconds, Int64(promoCredits))
            rates[plan, default: [:]][RateItem(rawValue: item)] = Money(paise: rate)
        }
        var cards: [Plan: RateCard] = [:]
        for (plan, attributes) in plans {
            cards[plan] = RateCard(plan: plan, pulse: attributes.pulse, rates: rates[plan] ?? [:], promoSMSCredits: attributes.promoSMSCredits)
        }
        return cards
    }

    /// BI-15: upserts the imported rates in one statement.
    static func save(_ rows: [RateCardImport.Row], in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        let plans = rows.map(\.plan.rawValue)
        let items = rows.map(\.item.rawValue)
        let rates = rows.map(\.rate.paise)
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).rates (plan, item, rate)
            SELECT * FROM unnest(\(plans)::text[], \(items)::text[], \(rates)::bigint[])
            ON CONFLICT (plan, item) DO UPDATE SET rate = EXCLUDED.rate, updated_at = now()
            """)
    }
}

extension RateCardStore {
    /// BI-20: what each plan costs per year.
    static func annualPrices(in transaction: Transaction) async throws -> [Plan: Money] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query("SELECT plan, annual_price FROM \(unescaped: schema).plans")
        var prices: [Plan: Money] = [:]
        for try await (plan, price) in rows.decode((String, Int64).self) {
            if let plan = Plan(rawValue: plan) { prices[plan] = Money(paise: price) }
        }
        return prices
    }
}

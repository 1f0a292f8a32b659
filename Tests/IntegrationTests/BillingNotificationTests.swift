import Billing
import Contracts
import Foundation
import Messaging
import PostgresNIO
import Storage
import Testing

/// Billing rating delivered notifications against a running service.
@Suite("Billing notification rating")
struct BillingNotificationTests {
    @Test("BI-17, D-21: promotional SMS spend the month's credits first, once per SMS; the rest, transactional SMS and other months are apart")
    func bi17PromoSMSCredits() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            try await billing.recharge(company, .rupees(1_500))
            let promo = try await billing.database.count("SELECT rate::int FROM billing.rates WHERE plan = 'compact' AND item = 'sms.promotional'")
            let transactional = try await billing.database.count("SELECT rate::int FROM billing.rates WHERE plan = 'compact' AND item = 'sms.transactional'")
            try #require(promo > 0 && transactional > 0)

            let now = Date()
            let month = PromoSMSCredits.month(of: now, timeZone: .kolkata)
            let fresh = try await billing.call("GET", "/v1/billing/account", as: company).json()
            let credits = try #require(fresh["promo_sms_credits"] as? [String: any Sendable])
            #expect(credits["month"] as? String == String(month.label.prefix(7)))
            #expect(credits["allowance"] as? Int == 1_000, "the Compact plan's allowance")
            #expect(credits["used"] as? Int == 0)
            #expect(credits["remaining"] as? Int == 1_000)

            // Earlier SMS of the month left two credits.
            try await billing.database.query(
                """
                INSERT INTO billing.promo_sms_credit_uses (company_id, source, month, credits)
                VALUES (\(company.uuid), 'sms:earlier', \(month.label)::date, 998)
                """)

            let publisher = try TestEnvironment.connection("billing-promo-sms")
            publisher.start()
            try await publisher.waitUntilConnected()
            func sms(_ id: UUID, _ kind: NotificationDelivered.Kind, segments: Int, at date: Date = now) throws -> EncodedEnvelope {
                try EncodedEnvelope(
                    Envelope(
                        companyID: company,
                        data: NotificationDelivered(
                            notificationID: id, channel: .sms, kind: kind, recipient: "+919876543210",
                            text: String(repeating: "a", count: 153 * segments), deliveredAt: date)))
            }
            func rated(_ events: [EncodedEnvelope]) async throws {
                try await publisher.publishUntilConfirmed(events)
                let ids = events.map(\.header.id.uuid.uuidString).joined(separator: ",")
                try await eventually("the SMS were rated") {
                    try await billing.database.count(
                        "SELECT count(*) FROM billing.inbox WHERE consumer = 'rate-notifications' AND event_id = ANY('{\(ids)}'::uuid[])") == events.count
                }
            }
            let oneSegment = UUID()
            let twoSegments = UUID()
            let lastMonth = try #require(Calendar(identifier: .gregorian).date(byAdding: .day, value: -1, to: month.start))
            // One step at a time: Billing replicas of the test run share the queue, so events published together may be
            // rated in any order.
            // Paid by one credit.
            try await rated([try sms(oneSegment, .promotional, segments: 1)])
            try await rated([
                // The same SMS under another event id: spends nothing.
                try sms(oneSegment, .promotional, segments: 1),
                // Transactional SMS never use credits.
                try sms(UUID(), .transactional, segments: 1),
                // Last month's SMS use last month's credits, all still there.
                try sms(UUID(), .promotional, segments: 2, at: lastMonth),
            ])
            // The last credit pays one segment, the other is charged.
            try await rated([try sms(twoSegments, .promotional, segments: 2)])
            // Credits spent: this SMS is charged in full, and the one paid by a credit, published once more, is not charged.
            try await rated([try sms(UUID(), .promotional, segments: 1), try sms(oneSegment, .promotional, segments: 1)])

            #expect(try await billing.balance(company) == .rupees(1_500) - Money(paise: Int64(promo + transactional + promo)))
            #expect(try await billing.database.count(
                "SELECT sum(credits)::int FROM billing.promo_sms_credit_uses WHERE company_id = '\(company.uuid)' AND month = '\(month.label)'") == 1_000)
            #expect(try await billing.database.count(
                "SELECT sum(credits)::int FROM billing.promo_sms_credit_uses WHERE company_id = '\(company.uuid)' AND month < '\(month.label)'") == 2)
            #expect(try await billing.database.count(
                "SELECT count(*) FROM billing.ledger WHERE company_id = '\(company.uuid)' AND source = 'sms:\(oneSegment.uuidString.lowercased())'") == 0)
            let source = "sms:\(twoSegments.uuidString.lowercased())"
            let entry = try await billing.database.query(
                "SELECT amount, quantity, description FROM billing.ledger WHERE company_id = \(company.uuid) AND source = \(source)")
            var entries = 0
            for try await (amount, quantity, description) in entry.decode((Int64, Int64, String).self) {
                entries += 1
                #expect(amount == Int64(promo))
                #expect(quantity == 1)
                #expect(description.contains("1 paid from promo SMS credits"), "\(description)")
            }
            #expect(entries == 1)

            let spent = try #require(try await billing.call("GET", "/v1/billing/account", as: company).json()["promo_sms_credits"] as? [String: any Sendable])
            #expect(spent["used"] as? Int == 1_000)
            #expect(spent["remaining"] as? Int == 0)
            await publisher.shutdown()
        }
    }
}

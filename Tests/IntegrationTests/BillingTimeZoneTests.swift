import Billing
import Contracts
import Foundation
import Messaging
import PostgresNIO
import Storage
import Testing

/// D-29 across services: the time zone a company sets in CallRouter decides Billing's months and cycles.
@Suite("Billing on the company's clock")
struct BillingTimeZoneTests {
    @Test("D-29: a zone set in CallRouter's settings reaches Billing: the next cycle begins at London's midnight, an SMS sent late on 31 October UTC spends October's credits; an older change arriving later is ignored")
    func test_D_29_company_time_zone_reaches_billing() async throws {
        try await withCallRouter { router in
            try await withBilling { billing in
                let company = CompanyID()
                try await billing.recharge(company, .rupees(1_500))
                func account() async throws -> (zone: String, nextCycle: Date, billingDay: Int) {
                    let rows = try await billing.database.query(
                        "SELECT time_zone, next_cycle_at, billing_day FROM billing.accounts WHERE company_id = \(company.uuid)")
                    for try await row in rows.decode((String, Date, Int).self) { return row }
                    throw CancellationError()
                }
                let before = try await account()
                #expect(before.zone == "Asia/Kolkata")
                #expect(try await billing.call("GET", "/v1/billing/account", as: company).json()["time_zone"] as? String == "Asia/Kolkata")

                let london = try #require(TimeZone(identifier: "Europe/London"))
                #expect(try await router.call("PATCH", "/v1/callrouter/settings", as: company, json: #"{"time_zone":"Europe/London"}"#).status == 200)
                try await eventually("Billing took London's clock") { try await account().zone == "Europe/London" }
                let after = try await account()
                let moved = BillingCycle.moved(before.nextCycle, billingDay: before.billingDay, to: london)
                #expect(abs(after.nextCycle.timeIntervalSince(moved)) < 0.001)
                // London is 5 h 30 min (4 h 30 min in summer) behind India: the same billing day's midnight, later.
                #expect([4.5, 5.5].contains(after.nextCycle.timeIntervalSince(before.nextCycle) / 3_600))
                #expect(try await billing.call("GET", "/v1/billing/account", as: company).json()["time_zone"] as? String == "Europe/London")

                let publisher = try TestEnvironment.connection("billing-time-zone")
                publisher.start()
                try await publisher.waitUntilConnected()
                func consumed(_ events: [EncodedEnvelope], by consumer: String) async throws {
                    try await publisher.publishUntilConfirmed(events)
                    let ids = events.map(\.header.id.uuid.uuidString).joined(separator: ",")
                    try await eventually("\(consumer) took the events") {
                        try await billing.database.count(
                            "SELECT count(*) FROM billing.inbox WHERE consumer = '\(consumer)' AND event_id = ANY('{\(ids)}'::uuid[])") == events.count
                    }
                }
                // 20:00 UTC on 31 October is 1 November in India and still October in London.
                let lateOctober = try #require(ISO8601DateFormatter().date(from: "2026-10-31T20:00:00Z"))
                try await consumed([
                    try EncodedEnvelope(Envelope(
                        companyID: company,
                        data: NotificationDelivered(
                            notificationID: UUID(), channel: .sms, kind: .promotional, recipient: "+919876543210", text: "Diwali offer",
                            deliveredAt: lateOctober)))
                ], by: "rate-notifications")
                let months = try await billing.database.query(
                    "SELECT month::text, credits FROM billing.promo_sms_credit_uses WHERE company_id = \(company.uuid)")
                var used: [String: Int64] = [:]
                for try await (month, credits) in months.decode((String, Int64).self) { used[month] = credits }
                #expect(used == ["2026-10-01": 1])

                // A change made before London's, delivered after it (a retry, a slow replica), changes nothing.
                try await consumed([
                    try EncodedEnvelope(Envelope(
                        companyID: company, occurredAt: Date().addingTimeInterval(-3_600),
                        data: CompanySettingsChanged(timeZone: "Asia/Tokyo", changedAt: Date().addingTimeInterval(-3_600))))
                ], by: "company-time-zones")
                let still = try await account()
                #expect(still.zone == "Europe/London")
                #expect(still.nextCycle == after.nextCycle)
                await publisher.shutdown()
            }
        }
    }
}

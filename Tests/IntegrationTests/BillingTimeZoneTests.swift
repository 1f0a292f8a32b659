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

    @Test("D-29: two settings edits made at once both hold: the zone one edit sets is never written back by the other, which Billing would not hear of")
    func test_D_29_concurrent_settings_edits_both_hold() async throws {
        try await withCallRouter { router in
            let company = CompanyID()
            let zones = ["Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "Africa/Nairobi", "Asia/Dubai"]
            for (round, zone) in zones.enumerated() {
                async let lines = router.call("PATCH", "/v1/callrouter/settings", as: company, json: #"{"lines":\#(20 + round)}"#)
                async let moved = router.call("PATCH", "/v1/callrouter/settings", as: company, json: #"{"time_zone":"\#(zone)"}"#)
                #expect(try await lines.status == 200)
                #expect(try await moved.status == 200)
                let settings = try await router.call("GET", "/v1/callrouter/settings", as: company).json()
                #expect(settings["lines"] as? Int == 20 + round)
                #expect(settings["time_zone"] as? String == zone)
            }
        }
    }

    @Test("D-29: CallRouter's migration 0020 announces the zones set before it, in the envelope Billing reads as company.settings.changed")
    func test_D_29_zones_set_before_are_announced() async throws {
        let migration = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "Services/CallRouter/Migrations/0020_announce_company_time_zones.sql")
        let sql = try String(contentsOf: migration, encoding: .utf8)
        let zoned = CompanyID()
        let indian = CompanyID()
        // A CallRouter started first: on a fresh database its schema exists only once a service has migrated it.
        try await withCallRouter { _ in }
        let bodies = try await withPostgres { client in
            try await client.withConnection { connection in
                // Rolled back: nothing reaches the shared outbox.
                try await connection.query("BEGIN", logger: TestEnvironment.logger)
                try await connection.query(
                    "INSERT INTO callrouter.companies (company_id, time_zone) VALUES (\(zoned.uuid), 'America/New_York'), (\(indian.uuid), 'Asia/Kolkata')",
                    logger: TestEnvironment.logger)
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestEnvironment.logger)
                let rows = try await connection.query(
                    """
                    SELECT body FROM callrouter.outbox WHERE event_type = 'company.settings.changed'
                        AND body::json->>'company_id' IN (\(zoned.uuid.uuidString.lowercased()), \(indian.uuid.uuidString.lowercased()))
                    """, logger: TestEnvironment.logger)
                var bodies: [String] = []
                for try await body in rows.decode(String.self) { bodies.append(body) }
                try await connection.query("ROLLBACK", logger: TestEnvironment.logger)
                return bodies
            }
        }
        #expect(bodies.count == 1, "only the company off India's clock")
        let event = try EncodedEnvelope(body: Array(try #require(bodies.first).utf8)).decode(CompanySettingsChanged.self)
        #expect(event.companyID == zoned)
        #expect(event.type == .companySettingsChanged)
        #expect(event.data.timeZone == "America/New_York")
        // Stamped as set long ago, so it never undoes a zone Billing heard of since.
        #expect(event.data.changedAt == Date(timeIntervalSince1970: 946_684_800))
        #expect(abs(event.occurredAt.timeIntervalSinceNow) < 60)
    }

    /// Kiritimati (UTC+14) and Pago Pago (UTC−11) are 25 hours apart: their calendar days always differ. A billing day
    /// of today on Kiritimati's clock has its cycle start already there and not yet in Pago Pago; there is one only
    /// while that day is 1 to 28.
    static let east = TimeZone(identifier: "Pacific/Kiritimati")!
    static let west = TimeZone(identifier: "Pacific/Pago_Pago")!
    static var eastDay: Int { Calendar(identifier: .gregorian).dateComponents(in: east, from: Date()).day ?? 31 }

    @Test(
        "D-29, BI-19: numbers bought around a move west pay the cycle the cycle job already started, once: one priced before the move and settled after it, one bought after it",
        .enabled(if: BillingTimeZoneTests.eastDay <= 28, "no billing day falls today on Kiritimati's clock"))
    func test_D_29_numbers_across_a_move_west() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            try await billing.recharge(company, .rupees(1_500))
            let day = Self.eastDay
            let now = Date()
            let started = BillingCycle.containing(now, billingDay: day, timeZone: Self.east)
            #expect(BillingCycle.containing(now, billingDay: day, timeZone: Self.west).label < started.label)
            // On Kiritimati's clock, with today's cycle started by the cycle job.
            try await billing.database.query(
                """
                UPDATE billing.accounts SET time_zone = \(Self.east.identifier), time_zone_at = now(), billing_day = \(day),
                    next_cycle_at = \(started.end)
                WHERE company_id = \(company.uuid)
                """)
            let first = BillingHarness.unusedNumber()
            let priced = try await billing.call("POST", "/v1/billing/dids", as: company, json: #"{"number":"\#(first)"}"#)
            #expect(priced.status == 201)

            // The company moves to Pago Pago, where today's cycle has not begun.
            let publisher = try TestEnvironment.connection("billing-time-zone-move")
            publisher.start()
            try await publisher.waitUntilConnected()
            try await publisher.publishUntilConfirmed([
                try EncodedEnvelope(Envelope(companyID: company, data: CompanySettingsChanged(timeZone: Self.west.identifier, changedAt: Date())))
            ])
            await publisher.shutdown()
            try await eventually("Billing took Pago Pago's clock") {
                try await billing.database.count(
                    "SELECT count(*) FROM billing.accounts WHERE company_id = '\(company.uuid)' AND time_zone = '\(Self.west.identifier)'") == 1
            }
            try await billing.capture(priced)
            let second = BillingHarness.unusedNumber()
            try await billing.capture(try await billing.call("POST", "/v1/billing/dids", as: company, json: #"{"number":"\#(second)"}"#))

            let rows = try await billing.database.query(
                "SELECT source, debit FROM billing.ledger WHERE company_id = \(company.uuid) AND kind = 'did_rental' ORDER BY source")
            var rentals: [String] = []
            for try await (source, debit) in rows.decode((String, String).self) { rentals.append("\(source) \(debit)") }
            // Each number's rental is the started cycle's, paid with the number (not from the wallet), and nothing else.
            #expect(rentals.sorted() == [
                "did_rental:\(first):\(started.label) receipts", "did_rental:\(second):\(started.label) receipts",
            ].sorted())
            #expect(try await billing.balance(company) == .rupees(1_500))
        }
    }
}

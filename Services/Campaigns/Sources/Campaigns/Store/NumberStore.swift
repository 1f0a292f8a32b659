import Contracts
import Foundation
import PostgresNIO
import Storage

enum NumberStore {
    static let columns = """
        id, company_id, phone_number_id, display_number, display_name, tier, quality, messages_per_second, time_zone,
        business_hours::text,
        campaigns.quota_sum(campaigns.quota_shift(quota_buckets, quota_hour, floor(extract(epoch FROM now()) / 3600)::bigint)), created_at
        """

    /// Inserts, or answers nil when the provider's phone number id or the display number is taken.
    static func insert(_ number: WhatsAppNumber, in transaction: Transaction) async throws -> WhatsAppNumber? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).numbers
                (id, company_id, phone_number_id, display_number, display_name, tier, quality, messages_per_second, time_zone, business_hours)
            VALUES (\(number.id), \(number.companyID.uuid), \(number.phoneNumberID), \(number.displayNumber.e164), \(number.displayName),
                    \(Int16(number.tier)), \(number.quality.rawValue), \(number.messagesPerSecond), \(number.timeZone),
                    \(try JSONText.encode(number.businessHours))::jsonb)
            ON CONFLICT DO NOTHING
            RETURNING \(unescaped: columns)
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func update(_ number: WhatsAppNumber, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).numbers SET display_name = \(number.displayName), tier = \(Int16(number.tier)),
                quality = \(number.quality.rawValue), messages_per_second = \(number.messagesPerSecond), time_zone = \(number.timeZone),
                business_hours = \(try JSONText.encode(number.businessHours))::jsonb
            WHERE id = \(number.id) AND company_id = \(number.companyID.uuid)
            """)
    }

    static func find(_ id: UUID, company: CompanyID, in transaction: Transaction) async throws -> WhatsAppNumber? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT \(unescaped: columns) FROM \(unescaped: schema).numbers WHERE id = \(id) AND company_id = \(company.uuid)")
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// The provider's webhooks name a number by its phone number id only.
    static func find(phoneNumberID: String, in transaction: Transaction) async throws -> WhatsAppNumber? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT \(unescaped: columns) FROM \(unescaped: schema).numbers WHERE phone_number_id = \(phoneNumberID)")
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// Quality webhooks name a number by its digits.
    static func find(displayNumber: PhoneNumber, waba: String, in transaction: Transaction) async throws -> WhatsAppNumber? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).numbers
            WHERE display_number = \(displayNumber.e164)
              AND company_id IN (SELECT company_id FROM \(unescaped: schema).companies WHERE waba_id = \(waba))
            LIMIT 1
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func list(company: CompanyID, in transaction: Transaction) async throws -> [WhatsAppNumber] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT \(unescaped: columns) FROM \(unescaped: schema).numbers WHERE company_id = \(company.uuid) ORDER BY created_at, id")
        var numbers: [WhatsAppNumber] = []
        for try await row in rows { numbers.append(try decode(row)) }
        return numbers
    }

    /// D-12, D-16: which of `recipients` (in upload order) the number may reach with a business-initiated message
    /// now, taking the quota they need (`DailyQuota.take`). The number's row is locked first, so takers on any
    /// number of replicas apply one after another to what the previous one committed: no overshoot. The lock is the
    /// one an UPDATE takes (NO KEY): rows that reference the number (messages, windows) go in meanwhile. The hour is
    /// the database's, as in the buckets. (D-16 asks for one conditional statement; counting unique recipients needs
    /// a look at who was reached, so the statement became a locked read and write, with the same guarantee.)
    static func takeQuota(
        _ id: UUID, recipients: [PhoneNumber], limits: TierLimits, now: Date = Date(), in transaction: Transaction
    ) async throws -> [Bool] {
        guard !recipients.isEmpty else { return [] }
        let schema = transaction.schema.rawValue
        let locked = try await transaction.query(
            """
            SELECT tier, quota_buckets, quota_hour, GREATEST(quota_hour, floor(extract(epoch FROM statement_timestamp()) / 3600)::bigint)
            FROM \(unescaped: schema).numbers WHERE id = \(id) FOR NO KEY UPDATE
            """)
        var found: (tier: Int16, buckets: DailyQuota.Buckets)?
        for try await (tier, counts, hour, current) in locked.decode((Int16, [Int32], Int64, Int64).self) {
            found = (tier, DailyQuota.Buckets(counts: counts.map(Int.init), hour: hour).shifted(to: current))
        }
        guard let (tier, buckets) = found else { return recipients.map { _ in false } }

        let numbers = recipients.map(\.e164)
        var replying: Set<String> = []
        let windows = try await transaction.query(
            "SELECT contact, last_inbound_at FROM \(unescaped: schema).windows WHERE number_id = \(id) AND contact = ANY(\(numbers))")
        for try await (contact, last) in windows.decode((String, Date).self) where ServiceWindow.isOpen(lastInbound: last, now: now) {
            replying.insert(contact)
        }
        var counted: [String: Int64] = [:]
        let reached = try await transaction.query(
            """
            SELECT recipient, hour FROM \(unescaped: schema).quota_recipients
            WHERE number_id = \(id) AND recipient = ANY(\(numbers)) AND hour > \(buckets.hour - Int64(DailyQuota.buckets))
            """)
        for try await (recipient, hour) in reached.decode((String, Int64).self) { counted[recipient] = hour }

        let standings: [DailyQuota.Standing] = numbers.map { number in
            if replying.contains(number) { return .replying }
            if let hour = counted[number] { return .counted(hour: hour) }
            return .new
        }
        let (granted, after) = DailyQuota.take(standings, from: buckets, limit: limits.limit(tier: Int(tier)))
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).numbers SET quota_buckets = \(after.counts.map(Int32.init)), quota_hour = \(after.hour)
            WHERE id = \(id)
            """)
        // Once each: an upsert cannot touch a row twice in one statement.
        let reachedNow = Array(Set(zip(numbers, zip(standings, granted)).compactMap { number, decision in
            decision.1 && decision.0 != .replying ? number : nil
        }))
        if !reachedNow.isEmpty {
            try await transaction.query(
                """
                INSERT INTO \(unescaped: schema).quota_recipients (number_id, recipient, hour)
                SELECT \(id), recipient, \(after.hour) FROM unnest(\(reachedNow)) AS recipient
                ON CONFLICT (number_id, recipient) DO UPDATE SET hour = excluded.hour
                """)
        }
        return granted
    }

    /// D-12: recipients last reached before the window mean nothing any more. Rows a quota taker holds are skipped,
    /// and the hour is checked again on the row as deleted: one reached again meanwhile stays.
    static func pruneReached(before hour: Int64, limit: Int, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            DELETE FROM \(unescaped: schema).quota_recipients WHERE hour < \(hour) AND (number_id, recipient) IN (
                SELECT number_id, recipient FROM \(unescaped: schema).quota_recipients WHERE hour < \(hour) LIMIT \(limit)
                FOR UPDATE SKIP LOCKED)
            """)
    }

    /// D-17: takes up to `wanted` send tokens from the number's bucket, shared by every replica, in one conditional
    /// UPDATE that reads only its own row (as `takeQuota`), the formula of `SendRate.refill` / `SendRate.take`.
    /// Answers the tokens granted and the number's rate.
    static func takeTokens(_ id: UUID, wanted: Int, in transaction: Transaction) async throws -> (granted: Int, rate: Int) {
        let schema = transaction.schema.rawValue
        let available = """
            LEAST(GREATEST(1, messages_per_second / 10)::float8,
                  bucket_tokens + messages_per_second * GREATEST(0, extract(epoch FROM statement_timestamp() - bucket_at)::float8))
            """
        let grant = "GREATEST(0, LEAST(\(wanted), floor(\(available))::int))"
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).numbers SET
                bucket_last_grant = \(unescaped: grant),
                bucket_tokens = \(unescaped: available) - \(unescaped: grant),
                bucket_at = GREATEST(bucket_at, statement_timestamp())
            WHERE id = \(id)
            RETURNING bucket_last_grant, messages_per_second
            """)
        for try await (granted, rate) in rows.decode((Int, Int).self) { return (granted, rate) }
        return (0, SendRate.standard)
    }

    static func decode(_ row: PostgresRow) throws -> WhatsAppNumber {
        let (id, company, phoneNumberID, display, name, tier, quality, rate, zone, hours, used, created) = try row.decode(
            (UUID, UUID, String, String, String, Int16, String, Int, String, String, Int, Date).self)
        return WhatsAppNumber(
            id: id, companyID: CompanyID(company), phoneNumberID: phoneNumberID,
            displayNumber: PhoneNumber(e164: display) ?? PhoneNumber(e164: "+910000000000")!, displayName: name, tier: Int(tier),
            quality: WhatsAppNumber.Quality(rawValue: quality) ?? .unknown, messagesPerSecond: rate, timeZone: zone,
            businessHours: (try? JSONText.decode([WhatsAppNumber.BusinessHours].self, from: hours)) ?? [], quotaUsed: used,
            createdAt: created)
    }
}

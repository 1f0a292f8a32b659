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

    /// D-16: takes up to `requested` recipients of the number's rolling 24-hour quota (D-12) in one conditional
    /// UPDATE and answers how many it got. Every expression reads only the row being updated, so a concurrent taker
    /// that waited for the row lock re-evaluates them on the row the previous taker wrote: no overshoot with any
    /// number of replicas. `DailyQuota.grant` is the same arithmetic; `campaigns.quota_shift` moves the hourly
    /// buckets on to the current hour.
    static func takeQuota(_ id: UUID, requested: Int, limits: TierLimits, in transaction: Transaction) async throws -> Int {
        let schema = transaction.schema.rawValue
        let shifted = "\(schema).quota_shift(quota_buckets, quota_hour, floor(extract(epoch FROM statement_timestamp()) / 3600)::bigint)"
        let grant = """
            (CASE WHEN tier = 4 THEN \(requested)
                  ELSE GREATEST(0, LEAST(\(requested), (CASE tier WHEN 1 THEN \(limits.tier1) WHEN 2 THEN \(limits.tier2) ELSE \(limits.tier3) END)
                                                      - \(schema).quota_sum(\(shifted)))) END)
            """
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).numbers SET
                quota_last_grant = \(unescaped: grant),
                quota_buckets = (\(unescaped: shifted))[1:24] || ((\(unescaped: shifted))[25] + \(unescaped: grant)),
                quota_hour = GREATEST(quota_hour, floor(extract(epoch FROM statement_timestamp()) / 3600)::bigint)
            WHERE id = \(id)
            RETURNING quota_last_grant
            """)
        for try await granted in rows.decode(Int.self) { return granted }
        return 0
    }

    /// D-17: takes up to `wanted` send tokens from the number's bucket, shared by every replica, in one conditional
    /// UPDATE that reads only its own row (as `takeQuota`), the formula of `SendRate.refill` / `SendRate.take`.
    /// Answers the tokens granted and the number's rate.
    static func takeTokens(_ id: UUID, wanted: Int, in transaction: Transaction) async throws -> (granted: Int, rate: Int) {
        let schema = transaction.schema.rawValue
        let available = """
            LEAST(messages_per_second::float8,
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

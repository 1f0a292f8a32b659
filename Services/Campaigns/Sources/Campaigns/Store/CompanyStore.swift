import Contracts
import Foundation
import PostgresNIO
import Storage

/// Per-company settings and the billing projection (BI-06, CA-42).
enum CompanyStore {
    struct Settings: Sendable, Equatable {
        var wabaID: String?
        var whatsappBlocked: Bool
        /// CA-47
        var mmLite = false
        /// D-29: the company's time zone, India's until CallRouter says otherwise.
        var timeZone = "Asia/Kolkata"
    }

    static func read(_ company: CompanyID, in transaction: Transaction) async throws -> Settings {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT waba_id, whatsapp_blocked, mm_lite, time_zone FROM \(unescaped: schema).companies WHERE company_id = \(company.uuid)")
        for try await (waba, blocked, lite, zone) in rows.decode((String?, Bool, Bool, String).self) {
            return Settings(wabaID: waba, whatsappBlocked: blocked, mmLite: lite, timeZone: zone)
        }
        return Settings(wabaID: nil, whatsappBlocked: false)
    }

    /// The business account, and CA-47's MM Lite when given (nil leaves it as it is).
    static func setWABA(_ waba: String, mmLite: Bool?, company: CompanyID, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).companies (company_id, waba_id, mm_lite) VALUES (\(company.uuid), \(waba), \(mmLite ?? false))
            ON CONFLICT (company_id) DO UPDATE SET waba_id = excluded.waba_id,
                mm_lite = CASE WHEN \(mmLite)::boolean IS NULL THEN companies.mm_lite ELSE excluded.mm_lite END
            """)
    }

    /// D-29: the company's time zone as CallRouter set it, unless a later setting is already held (changes arrive in
    /// any order).
    static func setTimeZone(_ zone: String, company: CompanyID, at: Date, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).companies (company_id, time_zone, time_zone_at) VALUES (\(company.uuid), \(zone), \(at))
            ON CONFLICT (company_id) DO UPDATE SET time_zone = excluded.time_zone, time_zone_at = excluded.time_zone_at
            WHERE companies.time_zone_at IS NULL OR companies.time_zone_at <= excluded.time_zone_at
            """)
    }

    /// Applies a billing event unless a later one was already applied (events of one company can arrive out of
    /// order). Answers whether it applied.
    static func setBlocked(_ blocked: Bool, company: CompanyID, at: Date, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).companies (company_id, whatsapp_blocked, billing_changed_at)
            VALUES (\(company.uuid), \(blocked), \(at))
            ON CONFLICT (company_id) DO UPDATE SET whatsapp_blocked = excluded.whatsapp_blocked, billing_changed_at = excluded.billing_changed_at
            WHERE companies.billing_changed_at IS NULL OR companies.billing_changed_at <= excluded.billing_changed_at
            RETURNING company_id
            """)
        for try await _ in rows { return true }
        return false
    }
}

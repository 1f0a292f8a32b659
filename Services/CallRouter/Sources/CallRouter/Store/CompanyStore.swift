import Contracts
import Foundation
import PostgresNIO
import Storage

/// The CallRouter settings of one company (lines, time zone, direct dialing, sticky window) and the D-09 projection
/// of its billing status.
struct CompanySettings: Hashable, Sendable {
    var companyID: CompanyID
    var lines: Int
    var linesInUse: Int
    var outboundInUse: Int
    var timeZone: String
    var directDialing: Bool
    var stickyWindowDays: Int
    var suspended: Bool

    var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "Asia/Kolkata")! }
}

enum CompanyStore {
    /// The company's settings, created with the defaults on first use.
    /// `lock`: hold the row until the transaction ends, for a read that is edited and saved (`save` writes every
    /// setting, so two edits read unlocked would undo one another).
    static func read(_ company: CompanyID, lock: Bool = false, in transaction: Transaction) async throws -> CompanySettings {
        if let found = try await find(company, lock: lock, in: transaction) { return found }
        let schema = transaction.schema.rawValue
        try await transaction.query("INSERT INTO \(unescaped: schema).companies (company_id) VALUES (\(company.uuid)) ON CONFLICT DO NOTHING")
        guard let created = try await find(company, lock: lock, in: transaction) else { throw APIStoreError.missingRow("companies") }
        return created
    }

    static func find(_ company: CompanyID, lock: Bool = false, in transaction: Transaction) async throws -> CompanySettings? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT lines, lines_in_use, outbound_in_use, time_zone, direct_dialing, sticky_window_days, suspended
            FROM \(unescaped: schema).companies WHERE company_id = \(company.uuid) \(unescaped: lock ? "FOR UPDATE" : "")
            """)
        for try await (lines, inUse, outbound, zone, direct, sticky, suspended) in rows.decode((Int, Int, Int, String, Bool, Int, Bool).self) {
            return CompanySettings(
                companyID: company, lines: lines, linesInUse: inUse, outboundInUse: outbound, timeZone: zone, directDialing: direct,
                stickyWindowDays: sticky, suspended: suspended)
        }
        return nil
    }

    /// The database's clock now (not the transaction's start): one clock for every replica.
    static func clock(in transaction: Transaction) async throws -> Date {
        for try await now in try await transaction.query("SELECT clock_timestamp()").decode(Date.self) { return now }
        throw APIStoreError.missingRow("clock_timestamp")
    }

    static func save(_ settings: CompanySettings, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).companies SET lines = \(settings.lines), time_zone = \(settings.timeZone),
                direct_dialing = \(settings.directDialing), sticky_window_days = \(settings.stickyWindowDays)
            WHERE company_id = \(settings.companyID.uuid)
            """)
    }

    /// D-07 in one conditional statement: take `legs` lines if that keeps the company within its lines and, for an
    /// outbound call, within the outbound cap, then give back `releasing` of them (a call that ended in the same
    /// decision). Concurrent callers on any replica can never overshoot.
    static func takeLines(_ company: CompanyID, legs: Int, outboundCap: Int?, releasing: Int, in transaction: Transaction) async throws -> Bool {
        var binds = PostgresBindings(capacity: 6)
        binds.append(legs - releasing)
        binds.append(outboundCap == nil ? 0 : legs - releasing)
        binds.append(company.uuid)
        binds.append(legs)
        binds.append(outboundCap == nil ? 0 : legs)
        binds.append(outboundCap ?? Int(Int32.max))
        for try await _ in try await transaction.execute(TakeLinesSQL.self, binds) { return true }
        return false
    }

    enum TakeLinesSQL: PreparedText {
        static let sql = """
            UPDATE \(CallRouterSQL.schema).companies
            SET lines_in_use = lines_in_use + $1, outbound_in_use = outbound_in_use + $2
            WHERE company_id = $3 AND lines_in_use + $4 <= lines AND outbound_in_use + $5 <= $6
            RETURNING lines_in_use
            """
    }

    /// D-09: the billing status as last announced; an older event never overrides a newer one.
    static func setSuspended(_ company: CompanyID, _ suspended: Bool, at: Date, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).companies (company_id, suspended, billing_changed_at) VALUES (\(company.uuid), \(suspended), \(at))
            ON CONFLICT (company_id) DO UPDATE SET suspended = excluded.suspended, billing_changed_at = excluded.billing_changed_at
            WHERE companies.billing_changed_at IS NULL OR companies.billing_changed_at <= excluded.billing_changed_at
            """)
    }
}

/// A row the store had just written was not there: a bug, reported as a 500.
enum APIStoreError: Error {
    case missingRow(String)
}

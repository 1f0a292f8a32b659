import Contracts
import Foundation
import PostgresNIO
import Storage

/// BI-19: a number a company rents.
struct RentedNumber: Sendable {
    enum Status: String, Sendable, Codable { case pending, active, released }

    var number: String
    var status: Status
    var purchasedAt: Date?
    var releasedAt: Date?
}

enum DIDStore {
    /// Purchases and reinstatements of one number take turns, so that `reinstate` sees every other holder of it.
    static func lock(number: String, in transaction: Transaction) async throws {
        try await transaction.query("SELECT pg_advisory_xact_lock(hashtextextended(\("did:" + number), 0))")
    }

    /// False when the number is already someone's (pending or active).
    static func reserve(number: String, payment: PaymentID, company: CompanyID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        try await lock(number: number, in: transaction)
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).dids (company_id, number, status, payment_id)
            VALUES (\(company.uuid), \(number), 'pending', \(payment.uuid))
            ON CONFLICT (number) WHERE status <> 'released' DO NOTHING
            RETURNING number
            """)
        for try await _ in rows { return true }
        return false
    }

    /// True when this call made the number active (false when it already was, or the purchase lapsed).
    static func activate(number: String, payment: PaymentID, company: CompanyID, now: Date, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).dids SET status = 'active', purchased_at = \(now)
            WHERE company_id = \(company.uuid) AND number = \(number) AND payment_id = \(payment.uuid) AND status = 'pending'
            RETURNING number
            """)
        for try await _ in rows { return true }
        return false
    }

    /// BI-32: a purchase that lapsed unpaid and was paid after all takes its number again, unless another purchase
    /// holds it now. True when the number is active for it again.
    static func reinstate(number: String, payment: PaymentID, company: CompanyID, now: Date, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        // Without it, another company's purchase not yet committed is invisible to NOT EXISTS, and the UPDATE then
        // fails on the unique live number (a 409 to the payment provider) instead of crediting the wallet.
        try await lock(number: number, in: transaction)
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).dids SET status = 'active', purchased_at = \(now), released_at = NULL
            WHERE company_id = \(company.uuid) AND number = \(number) AND payment_id = \(payment.uuid) AND status = 'released'
              AND purchased_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM \(unescaped: schema).dids WHERE number = \(number) AND status <> 'released')
            RETURNING number
            """)
        for try await _ in rows { return true }
        return false
    }

    /// Frees `number` from a purchase that was never paid within `olderThanSeconds`, and expires that payment.
    static func expireAbandoned(number: String, olderThanSeconds: Int, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            WITH abandoned AS (
                UPDATE \(unescaped: schema).dids SET status = 'released', released_at = now()
                WHERE number = \(number) AND status = 'pending' AND created_at < now() - make_interval(secs => \(olderThanSeconds))
                RETURNING payment_id
            )
            UPDATE \(unescaped: schema).payments SET status = 'failed', failure_reason = 'expired unpaid', completed_at = now()
            WHERE id IN (SELECT payment_id FROM abandoned) AND status = 'pending'
            """)
    }

    /// A failed purchase frees the number again.
    static func abandon(number: String, payment: PaymentID, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).dids SET status = 'released', released_at = now()
            WHERE number = \(number) AND payment_id = \(payment.uuid) AND status = 'pending'
            """)
    }

    /// Stops the rental from the next cycle on; nil when the company has no such live number.
    static func release(number: String, company: CompanyID, now: Date, in transaction: Transaction) async throws -> RentedNumber? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).dids SET status = 'released', released_at = \(now)
            WHERE company_id = \(company.uuid) AND number = \(number) AND status = 'active'
            RETURNING number, status, purchased_at, released_at
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func list(company: CompanyID, in database: Database) async throws -> [RentedNumber] {
        let schema = database.schema.rawValue
        let rows = try await database.query(
            """
            SELECT number, status, purchased_at, released_at FROM \(unescaped: schema).dids
            WHERE company_id = \(company.uuid) AND status <> 'released' OR (company_id = \(company.uuid) AND released_at > now() - interval '90 days')
            ORDER BY created_at DESC LIMIT 500
            """)
        var numbers: [RentedNumber] = []
        for try await row in rows { numbers.append(try decode(row)) }
        return numbers
    }

    /// The numbers of `company` that pay rent in a cycle ending at `before`: the active ones bought before it. A cycle
    /// job catching up on a cycle that ended before a number was bought does not charge that number for it.
    static func active(company: CompanyID, boughtBefore before: Date, in transaction: Transaction) async throws -> [String] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT number FROM \(unescaped: schema).dids
            WHERE company_id = \(company.uuid) AND status = 'active' AND coalesce(purchased_at, created_at) < \(before)
            ORDER BY number
            """)
        var numbers: [String] = []
        for try await number in rows.decode(String.self) { numbers.append(number) }
        return numbers
    }

    static func decode(_ row: PostgresRow) throws -> RentedNumber {
        let (number, status, purchased, released) = try row.decode((String, String, Date?, Date?).self)
        return RentedNumber(number: number, status: RentedNumber.Status(rawValue: status) ?? .pending, purchasedAt: purchased, releasedAt: released)
    }
}

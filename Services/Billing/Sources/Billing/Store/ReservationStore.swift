import Contracts
import Foundation
import PostgresNIO
import Storage

/// D-15: a hold on part of a wallet, taken by a campaign at execution and settled when it ends.
struct Reservation: Sendable {
    enum Status: String, Sendable { case held, captured, released }

    var id: ReservationID
    var companyID: CompanyID
    var reference: String?
    var amount: Money
    var captured: Money
    /// D-15: what was charged while the hold was in force and drawn from it (the campaign's conversations).
    var drawn: Money = .zero
    var status: Status
    var expiresAt: Date
    var createdAt: Date
    var settledAt: Date?

    /// What the API shows: a held reservation past its expiry no longer holds anything.
    func displayStatus(now: Date) -> String {
        status == .held && expiresAt <= now ? "expired" : status.rawValue
    }
}

enum ReservationStore {
    static func insert(_ reservation: Reservation, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).reservations (id, company_id, reference, amount, status, expires_at, created_at)
            VALUES (\(reservation.id.uuid), \(reservation.companyID.uuid), \(reservation.reference), \(reservation.amount.paise),
                    'held', \(reservation.expiresAt), \(reservation.createdAt))
            """)
    }

    static func find(_ id: ReservationID, company: CompanyID, forUpdate: Bool, in transaction: Transaction) async throws -> Reservation? {
        let schema = transaction.schema.rawValue
        return try await first(
            transaction.query(
                """
                SELECT id, company_id, reference, amount, captured, status, expires_at, created_at, settled_at, drawn
                FROM \(unescaped: schema).reservations WHERE id = \(id.uuid) AND company_id = \(company.uuid)
                \(unescaped: forUpdate ? "FOR UPDATE" : "")
                """))
    }

    /// The hold still in force for a reference (a campaign id): asking twice for the same campaign holds once.
    static func held(reference: String, company: CompanyID, now: Date, in transaction: Transaction) async throws -> Reservation? {
        let schema = transaction.schema.rawValue
        return try await first(
            transaction.query(
                """
                SELECT id, company_id, reference, amount, captured, status, expires_at, created_at, settled_at, drawn
                FROM \(unescaped: schema).reservations
                WHERE company_id = \(company.uuid) AND reference = \(reference) AND status = 'held' AND expires_at > \(now)
                ORDER BY created_at LIMIT 1
                """))
    }

    private static func first(_ rows: PostgresRowSequence) async throws -> Reservation? {
        for try await (id, company, reference, amount, captured, status, expires, created, settled, drawn) in rows.decode(
            (UUID, UUID, String?, Int64, Int64, String, Date, Date, Date?, Int64).self)
        {
            return Reservation(
                id: ReservationID(id), companyID: CompanyID(company), reference: reference, amount: Money(paise: amount),
                captured: Money(paise: captured), drawn: Money(paise: drawn), status: Reservation.Status(rawValue: status) ?? .held, expiresAt: expires,
                createdAt: created, settledAt: settled)
        }
        return nil
    }

    /// One charge made while a hold is in force, to be drawn from it (D-15).
    struct Draw: Sendable {
        var companyID: CompanyID
        var reference: String
        var source: String
        var amount: Money
        /// A captured hold paying for usage rated after its capture; nil for the hold in force for `reference`.
        var captured: ReservationID? = nil
    }

    /// Draws each charge from its hold, once per source (one conversation): a re-delivered event, or one published
    /// again with a new id, draws nothing more, from this hold or a later one. A charge with no hold in force is drawn
    /// from nothing.
    static func draw(_ draws: [Draw], in transaction: Transaction) async throws {
        guard !draws.isEmpty else { return }
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            WITH d AS (
                SELECT * FROM unnest(\(draws.map(\.companyID.uuid))::uuid[], \(draws.map(\.reference))::text[], \(draws.map(\.source))::text[],
                                     \(draws.map(\.amount.paise))::bigint[], \(draws.map { $0.captured?.uuid.uuidString ?? "" })::text[])
                     AS d(company_id, reference, source, amount, captured)
            ), drawn AS (
                INSERT INTO \(unescaped: schema).reservation_draws (company_id, source, reservation_id, amount)
                SELECT d.company_id, d.source, r.id, d.amount FROM d JOIN \(unescaped: schema).reservations r
                  ON r.company_id = d.company_id AND r.reference = d.reference AND r.status = 'held' AND r.expires_at > now()
                WHERE d.captured = ''
                UNION ALL
                SELECT d.company_id, d.source, r.id, d.amount FROM d JOIN \(unescaped: schema).reservations r
                  ON r.id = NULLIF(d.captured, '')::uuid AND r.company_id = d.company_id AND r.status = 'captured'
                ON CONFLICT DO NOTHING
                RETURNING reservation_id, amount
            )
            UPDATE \(unescaped: schema).reservations r SET drawn = r.drawn + t.total
            FROM (SELECT reservation_id, sum(amount)::bigint AS total FROM drawn GROUP BY reservation_id) t
            WHERE r.id = t.reservation_id
            """)
    }

    struct ReferenceKey: Hashable, Sendable {
        var companyID: CompanyID
        var reference: String
    }

    struct Coverage: Sendable {
        var id: ReservationID
        /// What the capture charged beyond the draws and no later conversation has used yet.
        var remaining: Money
    }

    /// D-15: the captured holds of these references that still cover usage, locked.
    static func capturedCoverage(_ references: [(CompanyID, String)], in transaction: Transaction) async throws -> [ReferenceKey: Coverage] {
        guard !references.isEmpty else { return [:] }
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT r.id, r.company_id, r.reference, r.captured - r.drawn FROM \(unescaped: schema).reservations r
            JOIN (SELECT DISTINCT * FROM unnest(\(references.map(\.0.uuid))::uuid[], \(references.map(\.1))::text[])) AS k(company_id, reference)
              ON r.company_id = k.company_id AND r.reference = k.reference
            WHERE r.status = 'captured' AND r.captured > r.drawn
            ORDER BY r.id FOR UPDATE OF r
            """)
        var found: [ReferenceKey: Coverage] = [:]
        for try await (id, company, reference, remaining) in rows.decode((UUID, UUID, String, Int64).self) {
            let key = ReferenceKey(companyID: CompanyID(company), reference: reference)
            // Several captured holds of one reference (a campaign held again after a capture): the first covers.
            if found[key] == nil { found[key] = Coverage(id: ReservationID(id), remaining: Money(paise: remaining)) }
        }
        return found
    }

    static func settle(_ reservation: Reservation, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).reservations
            SET status = \(reservation.status.rawValue), captured = \(reservation.captured.paise), settled_at = \(reservation.settledAt)
            WHERE id = \(reservation.id.uuid)
            """)
    }
}

import Contracts
import Foundation
import PostgresNIO
import Storage

enum CampaignStore {
    static let columns = """
        id, company_id, name, template_id, number_id, audience_id, mapping::text, status, send_at, recipients, quota_granted,
        reservation_id, failure_code, failure_message, created_by, created_at, started_at, finished_at
        """

    /// Answers the creation time the database gave it.
    static func insert(_ campaign: Campaign, in transaction: Transaction) async throws -> Date {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).campaigns
                (id, company_id, name, template_id, number_id, audience_id, mapping, status, send_at, recipients, created_by)
            VALUES (\(campaign.id.uuid), \(campaign.companyID.uuid), \(campaign.name), \(campaign.templateID), \(campaign.numberID),
                    \(campaign.audienceID), \(try JSONText.encode(campaign.mapping))::jsonb, \(campaign.status.rawValue), \(campaign.sendAt),
                    \(campaign.recipients), \(campaign.createdBy.description))
            RETURNING created_at
            """)
        for try await created in rows.decode(Date.self) { return created }
        return campaign.createdAt
    }

    static func find(_ id: CampaignID, company: CompanyID, forUpdate: Bool = false, in transaction: Transaction) async throws -> Campaign? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).campaigns WHERE id = \(id.uuid) AND company_id = \(company.uuid)
            \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// For the sender and the sweeper, which know the campaign by id only.
    static func lock(_ id: CampaignID, in transaction: Transaction) async throws -> Campaign? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT \(unescaped: columns) FROM \(unescaped: schema).campaigns WHERE id = \(id.uuid) FOR UPDATE")
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// The next due campaign no other replica is working on (ARCHITECTURE.md: scheduled work is claimed with
    /// FOR UPDATE SKIP LOCKED). The lock lasts until the claiming transaction ends.
    static func claimDue(now: Date, in transaction: Transaction) async throws -> Campaign? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).campaigns
            WHERE status = 'scheduled' AND send_at <= \(now) AND (next_attempt_at IS NULL OR next_attempt_at <= \(now))
            ORDER BY send_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func retryLater(_ id: CampaignID, at: Date, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query("UPDATE \(unescaped: schema).campaigns SET next_attempt_at = \(at) WHERE id = \(id.uuid)")
    }

    /// A start that failed at `now`: answers when the first of its failed starts was.
    static func startFailed(_ id: CampaignID, at now: Date, in transaction: Transaction) async throws -> Date {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "UPDATE \(unescaped: schema).campaigns SET start_failed_at = coalesce(start_failed_at, \(now)) WHERE id = \(id.uuid) RETURNING start_failed_at")
        for try await first in rows.decode(Date.self) { return first }
        return now
    }

    /// The credit hold Billing granted a start that then failed, so that `CampaignCloser.releaseHolds` gives it back.
    static func keepReservation(_ id: CampaignID, _ reservation: String, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            "UPDATE \(unescaped: schema).campaigns SET reservation_id = coalesce(reservation_id, \(reservation)) WHERE id = \(id.uuid)")
    }

    static func hasOpenMessages(_ id: CampaignID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT 1 FROM \(unescaped: schema).messages WHERE campaign_id = \(id.uuid) AND status IN ('queued', 'sending') LIMIT 1")
        for try await _ in rows { return true }
        return false
    }

    /// Campaigns still `sending` with no message queued or in flight.
    static func sendingWithNothingOpen(limit: Int, in transaction: Transaction) async throws -> [CampaignID] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT c.id FROM \(unescaped: schema).campaigns c
            WHERE c.status = 'sending' AND NOT EXISTS (
                SELECT 1 FROM \(unescaped: schema).messages m WHERE m.campaign_id = c.id AND m.status IN ('queued', 'sending'))
            ORDER BY c.started_at LIMIT \(limit)
            """)
        var ids: [CampaignID] = []
        for try await id in rows.decode(UUID.self) { ids.append(CampaignID(id)) }
        return ids
    }

    struct Filter: Sendable {
        var from: Date?
        var to: Date?
        var status: CampaignStatus?
        var numberID: UUID?
        var before: (Date, UUID)?
        var limit: Int
    }

    /// CA-43: newest first, filtered by creation date range, status and WhatsApp number.
    static func list(company: CompanyID, filter: Filter, in transaction: Transaction) async throws -> [Campaign] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).campaigns
            WHERE company_id = \(company.uuid)
              AND (\(filter.from)::timestamptz IS NULL OR created_at >= \(filter.from))
              AND (\(filter.to)::timestamptz IS NULL OR created_at < \(filter.to))
              AND (\(filter.status?.rawValue)::text IS NULL OR status = \(filter.status?.rawValue))
              AND (\(filter.numberID)::uuid IS NULL OR number_id = \(filter.numberID))
              AND (\(filter.before?.0)::timestamptz IS NULL OR (created_at, id) < (\(filter.before?.0), \(filter.before?.1)))
            ORDER BY created_at DESC, id DESC LIMIT \(filter.limit)
            """)
        var campaigns: [Campaign] = []
        for try await row in rows { campaigns.append(try decode(row)) }
        return campaigns
    }

    static func setStatus(
        _ id: CampaignID, _ status: CampaignStatus, sendAt: Date? = nil, failure: (code: String, message: String)? = nil,
        in transaction: Transaction
    ) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).campaigns SET status = \(status.rawValue), send_at = COALESCE(\(sendAt), send_at),
                failure_code = COALESCE(\(failure?.code), failure_code), failure_message = COALESCE(\(failure?.message), failure_message),
                finished_at = CASE WHEN \(status.isFinal) THEN now() ELSE finished_at END
            WHERE id = \(id.uuid)
            """)
    }

    static func markStarted(_ id: CampaignID, granted: Int, reservation: String?, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).campaigns SET status = 'sending', started_at = now(), quota_granted = \(granted),
                reservation_id = \(reservation)
            WHERE id = \(id.uuid)
            """)
    }

    /// CA-42, BI-06: every scheduled campaign of the company pauses.
    static func pauseScheduled(company: CompanyID, in transaction: Transaction) async throws -> Int {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).campaigns SET status = 'paused'
            WHERE company_id = \(company.uuid) AND status = 'scheduled' RETURNING id
            """)
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }

    /// CA-43: drafts and failed campaigns only.
    static func delete(_ id: CampaignID, company: CompanyID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            DELETE FROM \(unescaped: schema).campaigns WHERE id = \(id.uuid) AND company_id = \(company.uuid)
                AND status IN ('draft', 'failed') RETURNING id
            """)
        for try await _ in rows { return true }
        return false
    }

    /// Finished campaigns whose credit hold is still to be released (the release is an HTTP call after the commit).
    static func unreleased(limit: Int, in transaction: Transaction) async throws -> [(CampaignID, CompanyID, String)] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT id, company_id, reservation_id FROM \(unescaped: schema).campaigns
            WHERE reservation_id IS NOT NULL AND reservation_released_at IS NULL AND finished_at IS NOT NULL
            ORDER BY finished_at LIMIT \(limit)
            """)
        var found: [(CampaignID, CompanyID, String)] = []
        for try await (id, company, reservation) in rows.decode((UUID, UUID, String).self) {
            found.append((CampaignID(id), CompanyID(company), reservation))
        }
        return found
    }

    static func unreleased(_ id: CampaignID, in transaction: Transaction) async throws -> (CompanyID, String)? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT company_id, reservation_id FROM \(unescaped: schema).campaigns
            WHERE id = \(id.uuid) AND reservation_id IS NOT NULL AND reservation_released_at IS NULL AND finished_at IS NOT NULL
            """)
        for try await (company, reservation) in rows.decode((UUID, String).self) { return (CompanyID(company), reservation) }
        return nil
    }

    static func markReleased(_ id: CampaignID, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query("UPDATE \(unescaped: schema).campaigns SET reservation_released_at = now() WHERE id = \(id.uuid)")
    }

    /// CA-43: the message counts of many campaigns at once.
    static func counts(_ ids: [CampaignID], in transaction: Transaction) async throws -> [CampaignID: CampaignCounts] {
        guard !ids.isEmpty else { return [:] }
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT campaign_id, status, count(*)::int FROM \(unescaped: schema).messages
            WHERE campaign_id = ANY(\(ids.map(\.uuid))) GROUP BY campaign_id, status
            """)
        var counts: [CampaignID: CampaignCounts] = [:]
        for try await (id, status, count) in rows.decode((UUID, String, Int).self) {
            var entry = counts[CampaignID(id)] ?? CampaignCounts()
            entry.recipients += count
            switch MessageStatus(rawValue: status) {
            case .queued?, .sending?: entry.queued += count
            case .sent?: entry.sent += count
            case .delivered?: entry.delivered += count
            case .read?: entry.read += count
            case .failed?, nil: entry.failed += count
            }
            counts[CampaignID(id)] = entry
        }
        return counts
    }

    static func decode(_ row: PostgresRow) throws -> Campaign {
        let (id, company, name, template, number, audience, mapping, status, sendAt, recipients, granted, reservation, code, message,
             createdBy, created, started, finished) = try row.decode(
            (UUID, UUID, String, UUID, UUID, UUID, String, String, Date?, Int, Int?, String?, String?, String?, String, Date, Date?, Date?).self)
        return Campaign(
            id: CampaignID(id), companyID: CompanyID(company), name: name, templateID: template, numberID: number, audienceID: audience,
            mapping: try JSONText.decode(VariableMapping.self, from: mapping), status: CampaignStatus(rawValue: status) ?? .failed,
            sendAt: sendAt, recipients: recipients, quotaGranted: granted, reservationID: reservation, failureCode: code,
            failureMessage: message, createdBy: UserID(createdBy) ?? UserID(), createdAt: created, startedAt: started, finishedAt: finished)
    }
}

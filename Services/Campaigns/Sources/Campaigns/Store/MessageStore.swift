import Contracts
import Foundation
import PostgresNIO
import Storage

/// A message claimed for sending, with what the sender needs to build the request.
struct ClaimedMessage: Sendable {
    var id: UUID
    var companyID: CompanyID
    var numberID: UUID
    var phoneNumberID: String
    var recipient: PhoneNumber
    var templateID: UUID?
    var payload: MessagePayload
    var campaignID: CampaignID?
    var trail: String?
    /// CA-47: a marketing template of a company using MM Lite, sent through Meta's Marketing Messages Lite API.
    var marketingLite = false
}

/// What the provider said about a claimed message.
struct SendOutcome: Sendable {
    var messageID: UUID
    var status: MessageStatus
    var providerMessageID: String?
    var errorCode: String?
    var errorMessage: String?
}

/// A message a status change applied to.
struct StatusChange: Sendable {
    var message: ClaimedMessage
    var providerMessageID: String
    var status: MessageStatus
    var errorCode: String?
    var errorMessage: String?
}

enum MessageStore {
    struct NewMessage: Sendable {
        var id: UUID
        var position: Int?
        var recipient: PhoneNumber
        var name: String
        var payload: MessagePayload
        var status: MessageStatus
        var errorCode: String?
        var errorMessage: String?
    }

    /// One bulk insert for a whole campaign or a single send.
    static func insert(
        _ messages: [NewMessage], company: CompanyID, number: UUID, campaign: CampaignID?, kind: String, template: UUID?, trail: String?,
        in transaction: Transaction
    ) async throws {
        guard !messages.isEmpty else { return }
        let schema = transaction.schema.rawValue
        let payloads = try messages.map { try JSONText.encode($0.payload) }
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).messages
                (id, company_id, number_id, campaign_id, position, recipient, name, kind, template_id, payload, trail, status,
                 error_code, error_message, failed_at)
            SELECT m.id, \(company.uuid), \(number), \(campaign?.uuid), NULLIF(m.position, 0), m.recipient, m.name, \(kind), \(template),
                   m.payload::jsonb, \(trail), m.status, NULLIF(m.code, ''), NULLIF(m.message, ''),
                   CASE WHEN m.status = 'failed' THEN now() END
            FROM unnest(\(messages.map(\.id)), \(messages.map { $0.position ?? 0 }), \(messages.map(\.recipient.e164)), \(messages.map(\.name)),
                        \(payloads), \(messages.map(\.status.rawValue)), \(messages.map { $0.errorCode ?? "" }),
                        \(messages.map { $0.errorMessage ?? "" }))
                 AS m(id, position, recipient, name, payload, status, code, message)
            """)
    }

    static let claimedColumns = """
        m.id, m.company_id, m.number_id, n.phone_number_id, m.recipient, m.template_id, m.payload::text, m.campaign_id, m.trail
        """

    /// queued → sending, before any request is made: a redelivered job finds nothing left to claim.
    ///
    /// The job's rows are found and locked by primary key, and their status is checked on the locked rows, not on
    /// the table. With `m.status = 'queued'` on the table the planner, whose statistics lag a campaign's burst of
    /// thousands of queued rows, walked the whole `messages_waiting` index and compared each entry with the job's
    /// ids, in every claim: half of the claim's time. The lock also makes the status the latest one, so a claim racing
    /// another for the same job still finds its rows taken.
    static func claim(_ ids: [UUID], in transaction: Transaction) async throws -> [ClaimedMessage] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            WITH job AS (SELECT id, status FROM \(unescaped: schema).messages WHERE id = ANY(\(ids)) FOR UPDATE)
            UPDATE \(unescaped: schema).messages AS m SET status = 'sending', claimed_at = now()
            FROM job, \(unescaped: schema).numbers AS n
            WHERE m.id = job.id AND job.status = 'queued' AND n.id = m.number_id
            RETURNING \(unescaped: claimedColumns),
                -- The route by the template's category as it is now (Meta may have re-categorised it, CA-08), not as cached.
                CASE WHEN m.template_id IS NOT NULL
                          AND (SELECT c.mm_lite FROM \(unescaped: schema).companies c WHERE c.company_id = m.company_id)
                     THEN coalesce((SELECT t.category = 'marketing' FROM \(unescaped: schema).templates t WHERE t.id = m.template_id), false)
                     ELSE false END
            """)
        var claimed: [ClaimedMessage] = []
        for try await row in rows { claimed.append(try decodeClaimed(row)) }
        return claimed
    }

    /// A graceful stop hands back what it claimed but never sent, for the redelivered job.
    static func unclaim(_ ids: [UUID], in transaction: Transaction) async throws {
        guard !ids.isEmpty else { return }
        let schema = transaction.schema.rawValue
        try await transaction.query(
            "UPDATE \(unescaped: schema).messages SET status = 'queued', claimed_at = NULL, queued_at = now() WHERE id = ANY(\(ids)) AND status = 'sending'")
    }

    /// Records the provider's answers in one statement. The rows are locked by primary key and their status checked
    /// there, as in `claim`, so the planner never walks `messages_stuck` (every message in flight) to find ten.
    /// Answers the messages it recorded: only those still `sending` (not one a sweep failed meanwhile, nor one this
    /// same record already wrote in a commit whose answer was lost), so that only their statuses are announced.
    @discardableResult
    static func record(_ outcomes: [SendOutcome], in transaction: Transaction) async throws -> Set<UUID> {
        guard !outcomes.isEmpty else { return [] }
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            WITH mine AS (SELECT id, status FROM \(unescaped: schema).messages WHERE id = ANY(\(outcomes.map(\.messageID))) FOR UPDATE)
            UPDATE \(unescaped: schema).messages AS m SET status = o.status, provider_message_id = NULLIF(o.pid, ''),
                error_code = NULLIF(o.code, ''), error_message = NULLIF(o.message, ''),
                sent_at = CASE WHEN o.status = 'sent' THEN now() ELSE m.sent_at END,
                failed_at = CASE WHEN o.status = 'failed' THEN now() ELSE m.failed_at END
            FROM unnest(\(outcomes.map(\.messageID)), \(outcomes.map(\.status.rawValue)), \(outcomes.map { $0.providerMessageID ?? "" }),
                        \(outcomes.map { $0.errorCode ?? "" }), \(outcomes.map { $0.errorMessage ?? "" })) AS o(id, status, pid, code, message), mine
            WHERE mine.id = o.id AND mine.status = 'sending' AND m.id = mine.id
            RETURNING m.id
            """)
        var recorded: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { recorded.insert(id) }
        return recorded
    }

    /// Status webhooks that arrived before their message id was recorded, for the given ids; removed as read.
    static func takeEarly(_ providerIDs: [String], in transaction: Transaction) async throws -> [(String, MessageStatus, Date, String?, String?)] {
        guard !providerIDs.isEmpty else { return [] }
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            DELETE FROM \(unescaped: schema).early_statuses WHERE provider_message_id = ANY(\(providerIDs))
            RETURNING provider_message_id, status, at, error_code, error_message
            """)
        var found: [(String, MessageStatus, Date, String?, String?)] = []
        for try await (id, status, at, code, message) in rows.decode((String, String, Date, String?, String?).self) {
            if let status = MessageStatus(rawValue: status) { found.append((id, status, at, code, message)) }
        }
        return found.sorted { $0.1.rank < $1.1.rank }
    }

    static func keepEarly(_ providerID: String, status: MessageStatus, at: Date, errorCode: String?, errorMessage: String?, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).early_statuses (provider_message_id, status, at, error_code, error_message)
            VALUES (\(providerID), \(status.rawValue), \(at), \(errorCode), \(errorMessage)) ON CONFLICT DO NOTHING
            """)
    }

    enum StatusResult: Sendable {
        /// The message moved forward.
        case applied(StatusChange)
        /// The message, of this campaign if any, is already at or past this status (a late or repeated webhook, or
        /// the `sent` the sender recorded from the provider's answer).
        case stale(campaign: CampaignID?)
        /// No message has this provider id (yet).
        case unknown
    }

    /// Out-of-order safe (MessageStatus.canMove): `read` is never followed by `delivered`. A `read` also stamps
    /// `delivered_at` when the delivery receipt never came or comes later.
    static func applyStatus(
        providerID: String, status: MessageStatus, at: Date, errorCode: String?, errorMessage: String?, in transaction: Transaction
    ) async throws -> StatusResult {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).messages AS m SET status = \(status.rawValue),
                sent_at = COALESCE(m.sent_at, \(at)),
                delivered_at = CASE WHEN \(status.rawValue) IN ('delivered', 'read') THEN COALESCE(m.delivered_at, \(at)) ELSE m.delivered_at END,
                read_at = CASE WHEN \(status.rawValue) = 'read' THEN \(at) ELSE m.read_at END,
                failed_at = CASE WHEN \(status.rawValue) = 'failed' THEN \(at) ELSE m.failed_at END,
                error_code = CASE WHEN \(status.rawValue) = 'failed' THEN \(errorCode) ELSE m.error_code END,
                error_message = CASE WHEN \(status.rawValue) = 'failed' THEN \(errorMessage) ELSE m.error_message END
            FROM \(unescaped: schema).numbers AS n
            WHERE m.provider_message_id = \(providerID) AND m.status = ANY(\(MessageStatus.predecessors(of: status))) AND n.id = m.number_id
            RETURNING \(unescaped: claimedColumns), false
            """)
        for try await row in rows {
            return .applied(StatusChange(
                message: try decodeClaimed(row), providerMessageID: providerID, status: status, errorCode: errorCode, errorMessage: errorMessage))
        }
        let exists = try await transaction.query(
            "SELECT campaign_id FROM \(unescaped: schema).messages WHERE provider_message_id = \(providerID)")
        for try await campaign in exists.decode(UUID?.self) { return .stale(campaign: campaign.map(CampaignID.init)) }
        return .unknown
    }

    /// What a message whose sender died mid-request fails with (code `send.outcome_unknown`).
    static let stuckMessage = "The sender stopped during this send; it was not repeated so that no one gets a message twice."

    /// Messages claimed longer ago than `olderThan` whose sender died: their outcome is unknown, so they fail rather
    /// than risk a second send. Answers them, for their status to be announced.
    static func failStuck(olderThan: Date, in transaction: Transaction) async throws -> [ClaimedMessage] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).messages AS m SET status = 'failed', failed_at = now(), error_code = \(SendFailure.unknownCode),
                error_message = \(stuckMessage)
            FROM \(unescaped: schema).numbers AS n
            WHERE m.status = 'sending' AND m.claimed_at < \(olderThan) AND n.id = m.number_id
            RETURNING \(unescaped: claimedColumns), false
            """)
        var failed: [ClaimedMessage] = []
        for try await row in rows { failed.append(try decodeClaimed(row)) }
        return failed
    }

    /// Queued messages whose job was published before `olderThan`, stamped as published now.
    static func requeueStale(olderThan: Date, limit: Int, in transaction: Transaction) async throws -> [(id: UUID, company: CompanyID)] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).messages SET queued_at = now()
            WHERE id IN (SELECT id FROM \(unescaped: schema).messages WHERE status = 'queued' AND queued_at < \(olderThan)
                         ORDER BY queued_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING id, company_id
            """)
        var found: [(id: UUID, company: CompanyID)] = []
        for try await (id, company) in rows.decode((UUID, UUID).self) { found.append((id, CompanyID(company))) }
        return found
    }

    /// A live sender renews its claims, so the stuck-message sweep never takes a message it is still working on.
    static func renewClaims(_ ids: [UUID], in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            "UPDATE \(unescaped: schema).messages SET claimed_at = now() WHERE id = ANY(\(ids)) AND status = 'sending'")
    }

    /// Provider ids of early statuses whose message has its id recorded by now.
    static func earlyWithMessage(limit: Int, in transaction: Transaction) async throws -> [String] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT DISTINCT e.provider_message_id FROM \(unescaped: schema).early_statuses e
            JOIN \(unescaped: schema).messages m ON m.provider_message_id = e.provider_message_id LIMIT \(limit)
            """)
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    static func dropEarly(olderThan: Date, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query("DELETE FROM \(unescaped: schema).early_statuses WHERE received_at < \(olderThan)")
    }

    static func find(_ id: UUID, company: CompanyID, in transaction: Transaction) async throws -> StoredMessage? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT \(unescaped: columns) FROM \(unescaped: schema).messages WHERE id = \(id) AND company_id = \(company.uuid)")
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// The message a client's earlier request with this Idempotency-Key queued.
    static func find(idempotencyKey key: String, company: CompanyID, in transaction: Transaction) async throws -> StoredMessage? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).messages
            WHERE company_id = \(company.uuid)
              AND id = (SELECT message_id FROM \(unescaped: schema).message_keys WHERE company_id = \(company.uuid) AND idempotency_key = \(key))
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// Stamps a just-queued message with the client's Idempotency-Key. A request with the same key queued in a
    /// transaction still open waits here, and fails with 23505 once that one commits: its own message goes with it.
    static func keep(idempotencyKey key: String, for id: UUID, company: CompanyID, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            "INSERT INTO \(unescaped: schema).message_keys (company_id, idempotency_key, message_id) VALUES (\(company.uuid), \(key), \(id))")
    }

    /// The recipient report, in upload order.
    static func ofCampaign(_ id: CampaignID, in transaction: Transaction) async throws -> [StoredMessage] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT \(unescaped: columns) FROM \(unescaped: schema).messages WHERE campaign_id = \(id.uuid) ORDER BY position")
        var messages: [StoredMessage] = []
        for try await row in rows { messages.append(try decode(row)) }
        return messages
    }

    /// CA-46: the messages of one Message Trail, newest first.
    static func ofTrail(_ trail: String, company: CompanyID, limit: Int, in transaction: Transaction) async throws -> [StoredMessage] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).messages WHERE company_id = \(company.uuid) AND trail = \(trail)
            ORDER BY created_at DESC, id LIMIT \(limit)
            """)
        var messages: [StoredMessage] = []
        for try await row in rows { messages.append(try decode(row)) }
        return messages
    }

    static let columns = """
        id, company_id, number_id, campaign_id, position, recipient, name, kind, template_id, trail, status, provider_message_id,
        error_code, error_message, created_at, sent_at, delivered_at, read_at, failed_at
        """

    static func decode(_ row: PostgresRow) throws -> StoredMessage {
        let (id, company, number, campaign, position, recipient, name, kind, template, trail, status, pid, code, message, created, sent,
             delivered, read, failed) = try row.decode(
            (UUID, UUID, UUID, UUID?, Int?, String, String, String, UUID?, String?, String, String?, String?, String?, Date, Date?, Date?,
             Date?, Date?).self)
        return StoredMessage(
            id: id, companyID: CompanyID(company), numberID: number, campaignID: campaign.map(CampaignID.init), position: position,
            recipient: PhoneNumber(e164: recipient) ?? PhoneNumber(e164: "+910000000000")!, name: name, kind: kind, templateID: template,
            trail: trail, status: MessageStatus(rawValue: status) ?? .failed, providerMessageID: pid, errorCode: code, errorMessage: message,
            createdAt: created, sentAt: sent, deliveredAt: delivered, readAt: read, failedAt: failed)
    }

    /// `claimedColumns` and then whether the message goes through MM Lite (CA-47; only a claim decides that).
    static func decodeClaimed(_ row: PostgresRow) throws -> ClaimedMessage {
        let (id, company, number, phoneNumberID, recipient, template, payload, campaign, trail, lite) = try row.decode(
            (UUID, UUID, UUID, String, String, UUID?, String, UUID?, String?, Bool).self)
        return ClaimedMessage(
            id: id, companyID: CompanyID(company), numberID: number, phoneNumberID: phoneNumberID,
            recipient: PhoneNumber(e164: recipient) ?? PhoneNumber(e164: "+910000000000")!, templateID: template,
            payload: try JSONText.decode(MessagePayload.self, from: payload), campaignID: campaign.map(CampaignID.init), trail: trail,
            marketingLite: lite)
    }
}

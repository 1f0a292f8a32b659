import Contracts
import Foundation
import PostgresNIO
import Storage

/// One call: the live state machine's row and, once ended, its call log (CR-53, CR-56).
struct CallRecord: Hashable, Sendable {
    var uid: CallID
    var company: CompanyID
    var direction: CallCompleted.Direction
    var did: PhoneNumber
    var didType: CallCompleted.NumberType
    var customer: PhoneNumber?
    var carrierCallID: String?
    var flowID: FlowID?
    var flowVersion: Int?
    var live: Bool
    var linesHeld: Int
    var state: CallState
    var outcome: CallCompleted.Outcome?
    var agentID: UserID?
    var departmentID: DepartmentID?
    var notReachable: Bool
    var startedAt: Date
    var pickedUpAt: Date?
    var answeredAt: Date?
    var endedAt: Date?
    var billableSeconds: Int?
    var recordingURL: String?
    var voicemailURL: String?
    var disposition: String?
    var dispositionComment: String?
    var lastEventID: String?
    var lastResponse: String?
}

/// What a call log query asks for (CR-53, CR-58): all optional, combined with AND.
struct CallLogFilter: Sendable {
    var from: Date?
    var to: Date?
    var direction: CallCompleted.Direction?
    var outcome: CallCompleted.Outcome?
    var agent: UserID?
    var department: DepartmentID?
    var did: PhoneNumber?
    var customer: PhoneNumber?
    /// X-04, D-27: agents see their own calls; managers the calls of the departments they manage and their own.
    var onlyAgent: UserID?
    var onlyDepartments: [DepartmentID]?
    var limit: Int = 100
    /// Keyset cursor: calls started before this (started_at, uid).
    var before: (Date, CallID)?
}

/// CR-57: a note on a call.
struct CallNote: Hashable, Sendable, Codable {
    var id: Int
    var authorID: UserID
    var text: String
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, text
        case authorID = "author_id"
        case createdAt = "created_at"
    }
}

enum CallStore {
    static let columns = """
        uid, company_id, direction, did, did_type, customer, carrier_call_id, flow_id, flow_version, live, lines_held, state::text, outcome,
        agent_id, department_id, not_reachable, started_at, picked_up_at, answered_at, ended_at, billable_seconds, recording_url,
        voicemail_url, disposition, disposition_comment, last_event_id, last_response
        """

    static func insert(_ call: CallRecord, journey: [JourneyEntry], in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        let state = try JSONText.encode(call.state)
        let steps = try JSONText.encode(journey)
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).calls (uid, company_id, direction, did, did_type, customer, carrier_call_id, flow_id, flow_version,
                live, lines_held, state, journey, outcome, agent_id, department_id, not_reachable, started_at, picked_up_at, answered_at, ended_at,
                billable_seconds, recording_url, voicemail_url, last_event_id, last_response)
            VALUES (\(call.uid.uuid), \(call.company.uuid), \(call.direction.rawValue), \(call.did.e164), \(call.didType.rawValue),
                \(call.customer?.e164), \(call.carrierCallID), \(call.flowID?.uuid), \(call.flowVersion), \(call.live), \(call.linesHeld),
                \(state)::jsonb, \(steps)::jsonb, \(call.outcome?.rawValue), \(call.agentID?.uuid), \(call.departmentID?.uuid),
                \(call.notReachable), \(call.startedAt), \(call.pickedUpAt), \(call.answeredAt), \(call.endedAt), \(call.billableSeconds),
                \(call.recordingURL), \(call.voicemailURL), \(call.lastEventID), \(call.lastResponse))
            """)
    }

    /// The call locked until the transaction ends, so the events of one call are decided one at a time, with its
    /// company's settings, in one round trip (the start of every switch event).
    static func lockWithSettings(_ uid: CallID, in transaction: Transaction) async throws -> (CallRecord, CompanySettings)? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns), co.lines, co.lines_in_use, co.outbound_in_use, co.time_zone, co.direct_dialing,
                   co.sticky_window_days, co.suspended
            FROM \(unescaped: schema).calls JOIN \(unescaped: schema).companies co USING (company_id)
            WHERE uid = \(uid.uuid) FOR UPDATE OF calls
            """)
        for try await row in rows {
            let call = try decode(row)
            let cells = row.makeRandomAccess()
            let settings = CompanySettings(
                companyID: call.company, lines: try cells["lines"].decode(Int.self), linesInUse: try cells["lines_in_use"].decode(Int.self),
                outboundInUse: try cells["outbound_in_use"].decode(Int.self), timeZone: try cells["time_zone"].decode(String.self),
                directDialing: try cells["direct_dialing"].decode(Bool.self), stickyWindowDays: try cells["sticky_window_days"].decode(Int.self),
                suspended: try cells["suspended"].decode(Bool.self))
            return (call, settings)
        }
        return nil
    }

    static func byCarrierID(_ carrierCallID: String, company: CompanyID, in transaction: Transaction) async throws -> CallRecord? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT \(unescaped: columns) FROM \(unescaped: schema).calls WHERE company_id = \(company.uuid) AND carrier_call_id = \(carrierCallID)")
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func find(_ uid: CallID, company: CompanyID, in transaction: Transaction) async throws -> (CallRecord, [JourneyEntry])? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT \(unescaped: columns), journey::text FROM \(unescaped: schema).calls WHERE company_id = \(company.uuid) AND uid = \(uid.uuid)")
        for try await row in rows {
            let journey = try row.makeRandomAccess()["journey"].decode(String.self)
            return (try decode(row), try JSONText.decode([JourneyEntry].self, from: journey))
        }
        return nil
    }

    static func update(_ call: CallRecord, appending journey: [JourneyEntry], in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        let state = try JSONText.encode(call.state)
        let steps = try JSONText.encode(journey)
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).calls SET state = \(state)::jsonb, journey = journey || \(steps)::jsonb, live = \(call.live),
                lines_held = \(call.linesHeld), outcome = \(call.outcome?.rawValue), agent_id = \(call.agentID?.uuid),
                department_id = \(call.departmentID?.uuid), not_reachable = \(call.notReachable), picked_up_at = \(call.pickedUpAt),
                answered_at = \(call.answeredAt), ended_at = \(call.endedAt), billable_seconds = \(call.billableSeconds),
                recording_url = \(call.recordingURL), voicemail_url = \(call.voicemailURL), last_event_id = \(call.lastEventID),
                last_response = \(call.lastResponse)
            WHERE company_id = \(call.company.uuid) AND uid = \(call.uid.uuid)
            """)
    }

    static func setDisposition(_ uid: CallID, company: CompanyID, disposition: String, comment: String?, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).calls SET disposition = \(disposition), disposition_comment = \(comment)
            WHERE company_id = \(company.uuid) AND uid = \(uid.uuid)
            """)
    }

    /// D-05: the agent who answered this caller most recently.
    static func bindSticky(company: CompanyID, customer: PhoneNumber, agent: UserID, at: Date, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).sticky_bindings (company_id, customer, agent_id, answered_at)
            VALUES (\(company.uuid), \(customer.e164), \(agent.uuid), \(at))
            ON CONFLICT (company_id, customer) DO UPDATE SET agent_id = excluded.agent_id, answered_at = excluded.answered_at
            WHERE sticky_bindings.answered_at <= excluded.answered_at
            """)
    }

    static func stickyAgent(company: CompanyID, customer: PhoneNumber, since: Date, in transaction: Transaction) async throws -> UserID? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT agent_id FROM \(unescaped: schema).sticky_bindings
            WHERE company_id = \(company.uuid) AND customer = \(customer.e164) AND answered_at >= \(since)
            """)
        for try await id in rows.decode(UUID.self) { return UserID(id) }
        return nil
    }

    /// CR-52: lost and refused calls leave only a system-log row.
    static func systemLog(company: CompanyID, kind: String, detail: some Encodable, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        let text = try JSONText.encode(detail)
        try await transaction.query(
            "INSERT INTO \(unescaped: schema).system_log (company_id, kind, detail) VALUES (\(company.uuid), \(kind), \(text)::jsonb)")
    }

    static func addNote(_ uid: CallID, company: CompanyID, author: UserID, text: String, in transaction: Transaction) async throws -> CallNote {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).call_notes (call_uid, company_id, author_id, text) VALUES (\(uid.uuid), \(company.uuid), \(author.uuid), \(text))
            RETURNING id, author_id, text, created_at
            """)
        for try await (id, author, text, created) in rows.decode((Int, UUID, String, Date).self) {
            return CallNote(id: id, authorID: UserID(author), text: text, createdAt: created)
        }
        throw APIStoreError.missingRow("call_notes")
    }

    static func notes(_ uids: [CallID], company: CompanyID, in transaction: Transaction) async throws -> [CallID: [CallNote]] {
        guard !uids.isEmpty else { return [:] }
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT call_uid, id, author_id, text, created_at FROM \(unescaped: schema).call_notes
            WHERE company_id = \(company.uuid) AND call_uid = ANY(\(uids.map(\.uuid))) ORDER BY id
            """)
        var notes: [CallID: [CallNote]] = [:]
        for try await (uid, id, author, text, created) in rows.decode((UUID, Int, UUID, String, Date).self) {
            notes[CallID(uid), default: []].append(CallNote(id: id, authorID: UserID(author), text: text, createdAt: created))
        }
        return notes
    }

    static func list(company: CompanyID, filter: CallLogFilter, in transaction: Transaction) async throws -> [CallRecord] {
        let schema = transaction.schema.rawValue
        let beforeAt = filter.before?.0, beforeUID = filter.before?.1.uuid
        let departments = filter.onlyDepartments?.map(\.uuid)
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).calls
            WHERE company_id = \(company.uuid)
              AND (\(filter.from)::timestamptz IS NULL OR started_at >= \(filter.from))
              AND (\(filter.to)::timestamptz IS NULL OR started_at < \(filter.to))
              AND (\(filter.direction?.rawValue)::text IS NULL OR direction = \(filter.direction?.rawValue))
              AND (\(filter.outcome?.rawValue)::text IS NULL OR outcome = \(filter.outcome?.rawValue))
              AND (\(filter.agent?.uuid)::uuid IS NULL OR agent_id = \(filter.agent?.uuid))
              AND (\(filter.department?.uuid)::uuid IS NULL OR department_id = \(filter.department?.uuid))
              AND (\(filter.did?.e164)::text IS NULL OR did = \(filter.did?.e164))
              AND (\(filter.customer?.e164)::text IS NULL OR customer = \(filter.customer?.e164))
              AND (\(filter.onlyAgent?.uuid)::uuid IS NULL OR agent_id = \(filter.onlyAgent?.uuid)
                   OR (\(departments)::uuid[] IS NOT NULL AND department_id = ANY(\(departments))))
              AND (\(filter.onlyAgent?.uuid)::uuid IS NOT NULL OR \(departments)::uuid[] IS NULL OR department_id = ANY(\(departments)))
              AND (\(beforeAt)::timestamptz IS NULL OR (started_at, uid) < (\(beforeAt), \(beforeUID)))
            ORDER BY started_at DESC, uid DESC
            LIMIT \(filter.limit)
            """)
        var calls: [CallRecord] = []
        for try await row in rows { calls.append(try decode(row)) }
        return calls
    }

    static func decode(_ row: PostgresRow) throws -> CallRecord {
        let cells = row.makeRandomAccess()
        func value<T: PostgresDecodable>(_ name: String, _ type: T.Type) throws -> T { try cells[name].decode(T.self) }
        let state = try value("state", String.self)
        return CallRecord(
            uid: CallID(try value("uid", UUID.self)), company: CompanyID(try value("company_id", UUID.self)),
            direction: CallCompleted.Direction(rawValue: try value("direction", String.self)) ?? .inbound,
            did: PhoneNumber(e164: try value("did", String.self)) ?? PhoneNumber(e164: "+910000000000")!,
            didType: CallCompleted.NumberType(rawValue: try value("did_type", String.self)) ?? .virtual,
            customer: try value("customer", String?.self).flatMap { PhoneNumber(e164: $0) },
            carrierCallID: try value("carrier_call_id", String?.self), flowID: try value("flow_id", UUID?.self).map(FlowID.init),
            flowVersion: try value("flow_version", Int?.self), live: try value("live", Bool.self), linesHeld: try value("lines_held", Int.self),
            state: try JSONText.decode(CallState.self, from: state),
            outcome: try value("outcome", String?.self).flatMap(CallCompleted.Outcome.init(rawValue:)),
            agentID: try value("agent_id", UUID?.self).map(UserID.init), departmentID: try value("department_id", UUID?.self).map(DepartmentID.init),
            notReachable: try value("not_reachable", Bool.self), startedAt: try value("started_at", Date.self),
            pickedUpAt: try value("picked_up_at", Date?.self), answeredAt: try value("answered_at", Date?.self),
            endedAt: try value("ended_at", Date?.self), billableSeconds: try value("billable_seconds", Int?.self),
            recordingURL: try value("recording_url", String?.self), voicemailURL: try value("voicemail_url", String?.self),
            disposition: try value("disposition", String?.self), dispositionComment: try value("disposition_comment", String?.self),
            lastEventID: try value("last_event_id", String?.self), lastResponse: try value("last_response", String?.self))
    }
}

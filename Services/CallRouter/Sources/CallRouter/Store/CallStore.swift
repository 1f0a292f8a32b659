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
    /// How many times the row was updated (a trigger counts every update, migration 0006).
    var version = 0
    /// Drawn anew for every update (migration 0008; nil until the first): a decision writes only if the row is still
    /// at the revision it read or kept.
    var revision: UUID?
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
    /// CR-58: on the company's clock (`zone`), set by the API from the company's settings.
    var timeOfDay: TimeOfDay?
    var zone = "Asia/Kolkata"
    /// X-04, D-27: agents see their own calls; managers the calls of the departments they manage and their own.
    var onlyAgent: UserID?
    var onlyDepartments: [DepartmentID]?
    /// CR-75: an agent's search by number finds no masked call, so it cannot confirm a hidden caller's number.
    var hideMasked = false
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
        voicemail_url, disposition, disposition_comment, last_event_id, last_response, version, revision, masked
        """

    /// The call's first row, with its first events into the outbox in the same statement.
    static func insert(_ call: CallRecord, journey: [JourneyEntry], events: [EncodedEnvelope], in transaction: Transaction) async throws {
        var binds = PostgresBindings(capacity: 32)
        try appendInsert(call, journey: journey, to: &binds)
        if events.isEmpty {
            try await transaction.run(InsertSQL.self, binds)
        } else {
            Outbox.append(events, to: &binds)
            try await transaction.run(InsertWithEventsSQL.self, binds)
        }
    }

    /// An inbound call admitted in one statement that commits on its own: a line taken (D-07, CR-47: only if that
    /// keeps the company within its lines; given back at once if the call already ended), the call's first row, the
    /// agents and sticky binding its first decision changed, and its events (at least `call.started`). False, and
    /// nothing written, when every line is busy.
    static func insertAdmitted(_ call: CallRecord, journey: [JourneyEntry], writes: DecisionWrites, in session: Transaction) async throws -> Bool {
        var binds = PostgresBindings(capacity: 40)
        try appendInsert(call, journey: journey, to: &binds)
        appendAgentWrites(writes, to: &binds)
        binds.append(writes.releasedLines)
        Outbox.append(writes.events, to: &binds)
        return try await session.run(InsertAdmittedSQL.self, binds) == 1
    }

    private static func appendInsert(_ call: CallRecord, journey: [JourneyEntry], to binds: inout PostgresBindings) throws {
        binds.append(call.uid.uuid)
        binds.append(call.company.uuid)
        binds.append(call.direction.rawValue)
        binds.append(call.did.e164)
        binds.append(call.didType.rawValue)
        binds.append(call.customer?.e164)
        binds.append(call.carrierCallID)
        binds.append(call.flowID?.uuid)
        binds.append(call.flowVersion)
        binds.append(call.startedAt)
        try appendChangeable(call, journey: journey, to: &binds)
    }

    enum InsertSQL: PreparedText {
        static let sql = insertSQL(events: nil)
    }

    enum InsertWithEventsSQL: PreparedText {
        static let sql = insertSQL(events: Outbox.insert(schema: CallRouterSQL.schema, firstParameter: 27))
    }

    private static let insertColumns = """
        uid, company_id, direction, did, did_type, customer, carrier_call_id, flow_id,
            flow_version, started_at, state, journey, live, lines_held, outcome, agent_id, department_id, not_reachable, picked_up_at,
            answered_at, ended_at, billable_seconds, recording_url, voicemail_url, last_event_id, last_response, masked
        """

    /// `masked` (CR-75) is read from the state the call starts with, so it needs no parameter of its own.
    private static let insertValues = """
        $1, $2, $3, $4, $5, $6::text, $7::text, $8::uuid, $9::int8, $10, $11::text::jsonb, $12::text::jsonb, $13, $14::int8,
            $15::text, $16::uuid, $17::uuid, $18, $19::timestamptz, $20::timestamptz, $21::timestamptz, $22::int8, $23::text, $24::text,
            $25::text, $26::text, coalesce(($11::text::jsonb ->> 'masked')::boolean, false)
        """

    private static func insertSQL(events: String?) -> String {
        """
        \(events.map { "WITH events AS (\n\($0)\n)\n" } ?? "")INSERT INTO \(CallRouterSQL.schema).calls (\(insertColumns))
        VALUES (\(insertValues))
        """
    }

    /// `insertAdmitted`: the line first; every other part applies only if the call's row went in, and that only if
    /// the line was free.
    enum InsertAdmittedSQL: PreparedText {
        static let sql = """
            WITH line AS (
                UPDATE \(CallRouterSQL.schema).companies SET lines_in_use = lines_in_use + 1 - $32::int8
                WHERE company_id = $2 AND lines_in_use + 1 <= lines
                RETURNING company_id
            ), call AS (
                INSERT INTO \(CallRouterSQL.schema).calls (\(insertColumns))
                SELECT \(insertValues) WHERE EXISTS (SELECT FROM line)
                RETURNING uid
            ), \(agentWritesSQL(company: "$2", uid: "$1", first: 27, when: "EXISTS (SELECT FROM call)")), events AS (
            \(Outbox.insert(schema: CallRouterSQL.schema, firstParameter: 33, when: "EXISTS (SELECT FROM call)"))
            )
            SELECT uid FROM call
            """
    }

    /// The agents a decision put on or took off the call and its sticky binding (five parameters from `first`, bound
    /// by `appendAgentWrites`), as parts of a `WITH`, each applied only if `condition` holds.
    private static func agentWritesSQL(company: String, uid: String, first: Int, when condition: String) -> String {
        let p = (first..<(first + 5)).map { "$\($0)" }
        return """
            busy AS (
                UPDATE \(CallRouterSQL.schema).users SET on_call = \(uid) WHERE company_id = \(company) AND id = ANY(\(p[0])::uuid[]) AND \(condition)
            ), freed AS (
                UPDATE \(CallRouterSQL.schema).users SET on_call = NULL
                WHERE company_id = \(company) AND id = ANY(\(p[1])::uuid[]) AND on_call = \(uid) AND \(condition)
            ), sticky AS (
                INSERT INTO \(CallRouterSQL.schema).sticky_bindings (company_id, customer, agent_id, answered_at)
                SELECT \(company), \(p[2])::text, \(p[3])::uuid, \(p[4])::timestamptz WHERE \(p[3])::uuid IS NOT NULL AND \(condition)
                ON CONFLICT (company_id, customer) DO UPDATE SET agent_id = excluded.agent_id, answered_at = excluded.answered_at
                WHERE sticky_bindings.answered_at <= excluded.answered_at
            )
            """
    }

    private static func appendAgentWrites(_ writes: DecisionWrites, to binds: inout PostgresBindings) {
        binds.append(writes.busyAgents.map(\.uuid))
        binds.append(writes.freedAgents.map(\.uuid))
        binds.append(writes.sticky?.customer.e164)
        binds.append(writes.sticky?.agent.uuid)
        binds.append(writes.sticky?.at)
    }

    /// The columns a decision may change, in the order both `InsertSQL` and `UpdateSQL` take them.
    private static func appendChangeable(_ call: CallRecord, journey: [JourneyEntry], to binds: inout PostgresBindings) throws {
        binds.append(try JSONText.encode(call.state))
        binds.append(try JSONText.encode(journey))
        binds.append(call.live)
        binds.append(call.linesHeld)
        binds.append(call.outcome?.rawValue)
        binds.append(call.agentID?.uuid)
        binds.append(call.departmentID?.uuid)
        binds.append(call.notReachable)
        binds.append(call.pickedUpAt)
        binds.append(call.answeredAt)
        binds.append(call.endedAt)
        binds.append(call.billableSeconds)
        binds.append(call.recordingURL)
        binds.append(call.voicemailURL)
        binds.append(call.lastEventID)
        binds.append(call.lastResponse)
    }

    /// The call as it is now, with its company's settings, in one round trip (the start of every switch event). Nothing
    /// is locked: the decision's write applies only if the call is still at this version (`update`).
    static func readWithSettings(_ uid: CallID, in session: Transaction) async throws -> (CallRecord, CompanySettings)? {
        var binds = PostgresBindings(capacity: 1)
        binds.append(uid.uuid)
        for try await row in try await session.execute(ReadWithSettingsSQL.self, binds) {
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

    enum ReadWithSettingsSQL: PreparedText {
        static let sql = """
            SELECT \(columns), co.lines, co.lines_in_use, co.outbound_in_use, co.time_zone, co.direct_dialing, co.sticky_window_days,
                   co.suspended
            FROM \(CallRouterSQL.schema).calls JOIN \(CallRouterSQL.schema).companies co USING (company_id)
            WHERE uid = $1
            """
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

    /// The call's row with the rest of the decision's writes, in one statement that commits on its own: its events
    /// into the outbox, the agents it put on or took off the call, the sticky binding, the lines it gave back, and, for
    /// a decision without events, an asynchronous commit (`DecisionWrites.needsDurableCommit`). All of it applies only
    /// if the call is still at the revision the decision read or kept and the company's settings are still the ones it
    /// decided with. The call's new revision; nil, and nothing written, if another decision of the call, any other
    /// update of it or a change of the settings came first.
    static func update(
        _ call: CallRecord, appending journey: [JourneyEntry], writes: DecisionWrites, settings: CompanySettings, in session: Transaction
    ) async throws -> UUID? {
        var binds = PostgresBindings(capacity: 40)
        try appendChangeable(call, journey: journey, to: &binds)
        binds.append(call.company.uuid)
        binds.append(call.uid.uuid)
        binds.append(call.version)
        appendAgentWrites(writes, to: &binds)
        binds.append(writes.releasedLines)
        binds.append(call.direction == .outbound ? writes.releasedLines : 0)
        binds.append(!writes.needsDurableCommit)
        appendSettings(settings, to: &binds)
        binds.append(call.revision)
        let revision = UUID.random()
        binds.append(revision)
        if writes.events.isEmpty { return try await session.run(UpdateSQL.self, binds) == 1 ? revision : nil }
        Outbox.append(writes.events, to: &binds)
        return try await session.run(UpdateWithEventsSQL.self, binds) == 1 ? revision : nil
    }

    /// A decision without events: the outbox's statement trigger must not run for nothing.
    enum UpdateSQL: PreparedText {
        static let sql = updateSQL(events: nil)
    }

    /// A decision with events: they go into the outbox in the same statement.
    enum UpdateWithEventsSQL: PreparedText {
        static let sql = updateSQL(events: Outbox.insert(schema: CallRouterSQL.schema, firstParameter: 34, when: "EXISTS (SELECT FROM call)"))
    }

    private static func updateSQL(events: String?) -> String {
        """
        WITH call AS (
            UPDATE \(CallRouterSQL.schema).calls SET state = $1::text::jsonb, journey = journey || $2::text::jsonb, live = $3,
                lines_held = $4::int8, outcome = $5::text, agent_id = $6::uuid, department_id = $7::uuid, not_reachable = $8,
                picked_up_at = $9::timestamptz, answered_at = $10::timestamptz, ended_at = $11::timestamptz, billable_seconds = $12::int8,
                recording_url = $13::text, voicemail_url = $14::text, last_event_id = $15::text, last_response = $16::text,
                revision = $33::uuid
            WHERE company_id = $17 AND uid = $18 AND version = $19::int8 AND revision IS NOT DISTINCT FROM $32::uuid
                AND \(settingsUnchanged(company: "$17", first: 28))
            RETURNING CASE WHEN $27::bool THEN set_config('synchronous_commit', 'off', true) END AS commit_mode
        ), \(agentWritesSQL(company: "$17", uid: "$18", first: 20, when: "EXISTS (SELECT FROM call)")), lines AS (
            UPDATE \(CallRouterSQL.schema).companies
            SET lines_in_use = greatest(0, lines_in_use - $25::int8), outbound_in_use = greatest(0, outbound_in_use - $26::int8)
            WHERE company_id = $17 AND $25::int8 > 0 AND EXISTS (SELECT FROM call)
        )\(events.map { ", events AS (\n\($0)\n)" } ?? "")
        SELECT commit_mode FROM call
        """
    }

    static func setDisposition(_ uid: CallID, company: CompanyID, disposition: String, comment: String?, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).calls SET disposition = \(disposition), disposition_comment = \(comment)
            WHERE company_id = \(company.uuid) AND uid = \(uid.uuid)
            """)
    }

    /// Whether the row of `call` and its company's settings are still the copy a replica kept (`LiveCalls`), by the
    /// same conditions as the decision's write (`update`): checked before a side effect that write cannot take back.
    static func isCurrent(_ call: CallRecord, settings: CompanySettings, in session: Transaction) async throws -> Bool {
        var binds = PostgresBindings(capacity: 7)
        binds.append(call.uid.uuid)
        binds.append(call.version)
        binds.append(call.revision)
        appendSettings(settings, to: &binds)
        return try await session.run(IsCurrentSQL.self, binds) == 1
    }

    enum IsCurrentSQL: PreparedText {
        static let sql = """
            SELECT FROM \(CallRouterSQL.schema).calls
            WHERE uid = $1 AND version = $2::int8 AND revision IS NOT DISTINCT FROM $3::uuid
                AND \(settingsUnchanged(company: "calls.company_id", first: 4))
            """
    }

    /// The company settings a decision depends on (`CallContext`) are still `appendSettings`' four values, bound from
    /// parameter `first` on: one definition for the write and for the check before a side effect.
    private static func settingsUnchanged(company: String, first: Int) -> String {
        """
        EXISTS (
            SELECT FROM \(CallRouterSQL.schema).companies co
            WHERE co.company_id = \(company) AND co.time_zone = $\(first)::text AND co.direct_dialing = $\(first + 1)::bool
                AND co.sticky_window_days = $\(first + 2)::int8 AND co.suspended = $\(first + 3)::bool)
        """
    }

    private static func appendSettings(_ settings: CompanySettings, to binds: inout PostgresBindings) {
        binds.append(settings.timeZone)
        binds.append(settings.directDialing)
        binds.append(settings.stickyWindowDays)
        binds.append(settings.suspended)
    }

    static func stickyAgent(company: CompanyID, customer: PhoneNumber, since: Date, in transaction: Transaction) async throws -> UserID? {
        var binds = PostgresBindings(capacity: 3)
        binds.append(company.uuid)
        binds.append(customer.e164)
        binds.append(since)
        for try await row in try await transaction.execute(StickyAgentSQL.self, binds) { return UserID(try row.decode(UUID.self)) }
        return nil
    }

    enum StickyAgentSQL: PreparedText {
        static let sql = """
            SELECT agent_id FROM \(CallRouterSQL.schema).sticky_bindings WHERE company_id = $1 AND customer = $2 AND answered_at >= $3
            """
    }

    /// CR-52, D-09: a call lost or refused before it became a call leaves only a system-log row, with the answer the
    /// switch got. False, and nothing written, when the same carrier call was refused already (a resend): its answer is
    /// `NumberStore.inbound`'s `earlierAnswer`.
    static func systemLog(
        company: CompanyID, kind: String, detail: SystemLogDetail, answer: String, in transaction: Transaction
    ) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let text = try JSONText.encode(detail)
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).system_log (company_id, kind, detail, carrier_call_id, answer)
            VALUES (\(company.uuid), \(kind), \(text)::jsonb, \(detail.carrierCallID), \(answer))
            ON CONFLICT (company_id, carrier_call_id) WHERE carrier_call_id IS NOT NULL DO NOTHING
            RETURNING id
            """)
        for try await _ in rows { return true }
        return false
    }

    /// The answer a refused carrier call got (`systemLog`).
    static func refusal(company: CompanyID, carrierCallID: String, in transaction: Transaction) async throws -> String? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT answer FROM \(unescaped: schema).system_log WHERE company_id = \(company.uuid) AND carrier_call_id = \(carrierCallID)")
        for try await answer in rows.decode(String?.self) { return answer }
        return nil
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

    /// Call it inside a transaction: it plans its statement for the filters at hand (`SET LOCAL … force_custom_plan`).
    /// With the service's generic plans, every optional filter would be checked row by row over the company's log.
    static func list(company: CompanyID, filter: CallLogFilter, in transaction: Transaction) async throws -> [CallRecord] {
        try await transaction.query("SET LOCAL plan_cache_mode = force_custom_plan")
        let schema = transaction.schema.rawValue
        let beforeAt = filter.before?.0, beforeUID = filter.before?.1.uuid
        let departments = filter.onlyDepartments?.map(\.uuid)
        let fromTime = filter.timeOfDay.map { TimeOfDay.sql($0.from) }, toTime = filter.timeOfDay.map { TimeOfDay.sql($0.to) }
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
              AND NOT (\(filter.hideMasked) AND masked)
              AND (\(fromTime)::time IS NULL OR CASE WHEN \(fromTime)::time <= \(toTime)::time
                   THEN (started_at AT TIME ZONE \(filter.zone))::time >= \(fromTime)::time AND (started_at AT TIME ZONE \(filter.zone))::time < \(toTime)::time
                   ELSE (started_at AT TIME ZONE \(filter.zone))::time >= \(fromTime)::time OR (started_at AT TIME ZONE \(filter.zone))::time < \(toTime)::time END)
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
        var state = try JSONText.decode(CallState.self, from: try value("state", String.self))
        // CR-75: the row's mark wins over a state that a replica of an earlier release saved without it.
        if try value("masked", Bool.self) { state.masked = true }
        return CallRecord(
            uid: CallID(try value("uid", UUID.self)), company: CompanyID(try value("company_id", UUID.self)),
            direction: CallCompleted.Direction(rawValue: try value("direction", String.self)) ?? .inbound,
            did: PhoneNumber(e164: try value("did", String.self)) ?? PhoneNumber(e164: "+910000000000")!,
            didType: CallCompleted.NumberType(rawValue: try value("did_type", String.self)) ?? .virtual,
            customer: try value("customer", String?.self).flatMap { PhoneNumber(e164: $0) },
            carrierCallID: try value("carrier_call_id", String?.self), flowID: try value("flow_id", UUID?.self).map(FlowID.init),
            flowVersion: try value("flow_version", Int?.self), live: try value("live", Bool.self), linesHeld: try value("lines_held", Int.self),
            state: state,
            outcome: try value("outcome", String?.self).flatMap(CallCompleted.Outcome.init(rawValue:)),
            agentID: try value("agent_id", UUID?.self).map(UserID.init), departmentID: try value("department_id", UUID?.self).map(DepartmentID.init),
            notReachable: try value("not_reachable", Bool.self), startedAt: try value("started_at", Date.self),
            pickedUpAt: try value("picked_up_at", Date?.self), answeredAt: try value("answered_at", Date?.self),
            endedAt: try value("ended_at", Date?.self), billableSeconds: try value("billable_seconds", Int?.self),
            recordingURL: try value("recording_url", String?.self), voicemailURL: try value("voicemail_url", String?.self),
            disposition: try value("disposition", String?.self), dispositionComment: try value("disposition_comment", String?.self),
            lastEventID: try value("last_event_id", String?.self), lastResponse: try value("last_response", String?.self),
            version: try value("version", Int.self), revision: try value("revision", UUID?.self))
    }
}

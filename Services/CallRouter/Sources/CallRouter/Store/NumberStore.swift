import Contracts
import Foundation
import PostgresNIO
import Storage

/// A company's number as routing sees it (CR-08, CR-65, CR-68).
struct Number: Hashable, Sendable {
    var number: PhoneNumber
    var type: CallCompleted.NumberType
    /// CR-68: a shared number never carries outbound calls.
    var shared: Bool
    var flowID: FlowID?
    var createdAt: Date
    /// CR-74: the number drops every call after a ring or two and announces it as a missed call.
    var missedCallService: Bool = false
    /// CR-75: the agents its calls ring see this number, not the caller's.
    var callMasking: Bool = false
}

/// Everything an incoming call needs before the flow runs, in one query: the number's company and flow, the
/// company's settings, and whether the caller is blocked.
struct InboundLookup: Sendable {
    var company: CompanyID
    var type: CallCompleted.NumberType
    var flowID: FlowID?
    var flowStatus: CallFlow.Status?
    var publishedVersion: Int?
    var settings: CompanySettings
    var blocked: Bool
    var missedCallService: Bool
    /// CR-75
    var callMasking: Bool
    /// The answer already given to this carrier call id, when the switch sends the same call again.
    var earlierAnswer: String?
}

enum NumberStore {
    /// False when the number already exists (in any company).
    static func insert(_ number: Number, company: CompanyID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).dids (number, company_id, type, shared, flow_id, missed_call_service, call_masking)
            VALUES (\(number.number.e164), \(company.uuid), \(number.type.rawValue), \(number.shared), \(number.flowID?.uuid),
                    \(number.missedCallService), \(number.callMasking))
            ON CONFLICT DO NOTHING RETURNING number
            """)
        for try await _ in rows { return true }
        return false
    }

    static func find(_ number: PhoneNumber, company: CompanyID, in transaction: Transaction) async throws -> Number? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT number, type, shared, flow_id, created_at, missed_call_service, call_masking FROM \(unescaped: schema).dids
            WHERE company_id = \(company.uuid) AND number = \(number.e164)
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func list(company: CompanyID, in transaction: Transaction) async throws -> [Number] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT number, type, shared, flow_id, created_at, missed_call_service, call_masking FROM \(unescaped: schema).dids WHERE company_id = \(company.uuid) ORDER BY number LIMIT 5000")
        var numbers: [Number] = []
        for try await row in rows { numbers.append(try decode(row)) }
        return numbers
    }

    static func setFlow(
        _ number: PhoneNumber, flow: FlowID?, missedCallService: Bool, callMasking: Bool?, company: CompanyID, in transaction: Transaction
    ) async throws -> Number? {
        let schema = transaction.schema.rawValue
        // CR-75: nil keeps the masking as the row has it now, not as a read before this statement saw it.
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).dids SET flow_id = \(flow?.uuid), missed_call_service = \(missedCallService),
                call_masking = COALESCE(\(callMasking)::boolean, call_masking)
            WHERE company_id = \(company.uuid) AND number = \(number.e164)
            RETURNING number, type, shared, flow_id, created_at, missed_call_service, call_masking
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// A number sold to `company` stops routing anyone else's calls: a registration left by its previous renter (a
    /// release not yet arrived) or made before rentals were checked.
    static func deleteOthers(_ number: PhoneNumber, keeping company: CompanyID, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query("DELETE FROM \(unescaped: schema).dids WHERE number = \(number.e164) AND company_id <> \(company.uuid)")
    }

    static func delete(_ number: PhoneNumber, company: CompanyID, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query("DELETE FROM \(unescaped: schema).dids WHERE company_id = \(company.uuid) AND number = \(number.e164)")
    }

    /// BI-19: the newest of Billing's events about `number` wins; a release only ends the rental of the company that
    /// held it (a late release of an earlier tenant never ends a later one's).
    static func setRented(_ number: PhoneNumber, company: CompanyID, active: Bool, at: Date, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).rented_numbers (number, company_id, active, changed_at)
            VALUES (\(number.e164), \(company.uuid), \(active), \(at))
            ON CONFLICT (number) DO UPDATE SET company_id = excluded.company_id, active = excluded.active, changed_at = excluded.changed_at
            WHERE rented_numbers.changed_at <= excluded.changed_at AND (excluded.active OR rented_numbers.company_id = excluded.company_id)
            """)
    }

    /// `FOR SHARE`: a registration and a release of the same number run one after the other, so the release always
    /// sees (and removes) a registration made while it ran, and a registration never passes on a rental being ended.
    static func isRented(_ number: PhoneNumber, by company: CompanyID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT 1 FROM \(unescaped: schema).rented_numbers WHERE number = \(number.e164) AND company_id = \(company.uuid) AND active
            FOR SHARE
            """)
        for try await _ in rows { return true }
        return false
    }

    static func inbound(did: PhoneNumber, caller: PhoneNumber?, carrierCallID: String, in transaction: Transaction) async throws -> InboundLookup? {
        var binds = PostgresBindings(capacity: 3)
        binds.append(caller?.e164 ?? "")
        binds.append(did.e164)
        binds.append(carrierCallID)
        let rows = try await transaction.execute(InboundSQL.self, binds)
        for try await row in rows {
            let (company, type, flow, status, version, lines, inUse, outbound, zone, direct, sticky, suspended, blocked, earlier, missedCall, masking) =
                try row.decode((UUID, String, UUID?, String?, Int?, Int, Int, Int, String, Bool, Int, Bool, Bool, String?, Bool, Bool).self)
            let id = CompanyID(company)
            return InboundLookup(
                company: id, type: CallCompleted.NumberType(rawValue: type) ?? .virtual, flowID: flow.map(FlowID.init),
                flowStatus: status.flatMap(CallFlow.Status.init(rawValue:)), publishedVersion: version,
                settings: CompanySettings(
                    companyID: id, lines: lines, linesInUse: inUse, outboundInUse: outbound, timeZone: zone, directDialing: direct,
                    stickyWindowDays: sticky, suspended: suspended),
                blocked: blocked, missedCallService: missedCall, callMasking: masking, earlierAnswer: earlier)
        }
        return nil
    }

    enum InboundSQL: PreparedText {
        static let sql = """
            SELECT d.company_id, d.type, d.flow_id, f.status, f.published_version,
                   coalesce(c.lines, 10), coalesce(c.lines_in_use, 0), coalesce(c.outbound_in_use, 0), coalesce(c.time_zone, 'Asia/Kolkata'),
                   coalesce(c.direct_dialing, false), coalesce(c.sticky_window_days, 7), coalesce(c.suspended, false),
                   EXISTS (SELECT 1 FROM \(CallRouterSQL.schema).blocklist b WHERE b.company_id = d.company_id AND b.number = $1),
                   coalesce(
                       (SELECT k.last_response FROM \(CallRouterSQL.schema).calls k WHERE k.company_id = d.company_id AND k.carrier_call_id = $3),
                       (SELECT s.answer FROM \(CallRouterSQL.schema).system_log s WHERE s.company_id = d.company_id AND s.carrier_call_id = $3)),
                   d.missed_call_service, d.call_masking
            FROM \(CallRouterSQL.schema).dids d
            LEFT JOIN \(CallRouterSQL.schema).flows f ON f.id = d.flow_id
            LEFT JOIN \(CallRouterSQL.schema).companies c ON c.company_id = d.company_id
            WHERE d.number = $2
            """
    }

    static func decode(_ row: PostgresRow) throws -> Number {
        let (number, type, shared, flow, created, missedCall, masking) = try row.decode((String, String, Bool, UUID?, Date, Bool, Bool).self)
        return Number(
            number: PhoneNumber(e164: number) ?? PhoneNumber(e164: "+910000000000")!, type: CallCompleted.NumberType(rawValue: type) ?? .virtual,
            shared: shared, flowID: flow.map(FlowID.init), createdAt: created, missedCallService: missedCall, callMasking: masking)
    }
}

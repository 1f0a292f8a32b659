import Contracts
import Foundation
import PostgresNIO
import ServiceKit
import Storage

/// A user of the company as stored (X-08); routing sees it as an `Agent`.
struct User: Hashable, Sendable {
    var id: UserID
    var name: String
    var email: String
    var mobile: PhoneNumber
    var extensionNumber: Extension
    var role: Role
    var availability: Availability
    var timeSlots: [TimeSlot]
    var outboundAllowed: Bool
    var onCall: CallID?

    /// What ownership (X-03) looks at.
    var holder: Ownership.Holder { Ownership.Holder(role: role, mobile: mobile, email: email) }

    var agent: Agent {
        Agent(
            id: id, name: name, mobile: mobile, extensionNumber: extensionNumber, availability: availability, timeSlots: timeSlots,
            onCall: onCall != nil, outboundAllowed: outboundAllowed)
    }
}

enum UserStore {
    static let columns = "id, name, email, mobile, extension, role, availability, time_slots::text, outbound_allowed, on_call"

    /// False when the extension is taken in the company (CR-28).
    static func insert(_ user: User, company: CompanyID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let slots = try JSONText.encode(user.timeSlots)
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).users (id, company_id, name, email, mobile, extension, role, availability, time_slots, outbound_allowed)
            VALUES (\(user.id.uuid), \(company.uuid), \(user.name), \(user.email), \(user.mobile.e164), \(user.extensionNumber.value),
                    \(user.role.rawValue), \(user.availability.rawValue), \(slots)::jsonb, \(user.outboundAllowed))
            ON CONFLICT DO NOTHING RETURNING id
            """)
        for try await _ in rows { return true }
        return false
    }

    /// False when the new extension is taken.
    static func update(_ user: User, company: CompanyID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let slots = try JSONText.encode(user.timeSlots)
        do {
            try await transaction.query(
                """
                UPDATE \(unescaped: schema).users SET name = \(user.name), email = \(user.email), mobile = \(user.mobile.e164),
                    extension = \(user.extensionNumber.value), role = \(user.role.rawValue), availability = \(user.availability.rawValue),
                    time_slots = \(slots)::jsonb, outbound_allowed = \(user.outboundAllowed)
                WHERE company_id = \(company.uuid) AND id = \(user.id.uuid)
                """)
            return true
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            return false
        }
    }

    static func find(_ id: UserID, company: CompanyID, in transaction: Transaction, lock: Bool = false) async throws -> User? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).users WHERE company_id = \(company.uuid) AND id = \(id.uuid)
            \(unescaped: lock ? "FOR UPDATE" : "")
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    /// What the company knows of a caller now (D-27): their stored role (nil: no user of the company, as for an
    /// integration's token or the owner who set the company up), and when a user with their id was last removed.
    struct Standing: Equatable, Sendable {
        var role: Role?
        var removedAt: Date?

        /// A token issued before the removal names a user who is gone, even if the id was given to a user again.
        func refuses(tokenIssuedAt issuedAt: Date?) -> Bool {
            guard let removedAt else { return false }
            guard role != nil, let issuedAt else { return true }
            return issuedAt <= removedAt
        }
    }

    static func standing(of id: UserID, company: CompanyID, in database: Database) async throws -> Standing {
        try await standing(try await database.query(standingQuery(id, company: company, schema: database.schema.rawValue)))
    }

    static func standing(of id: UserID, company: CompanyID, in transaction: Transaction) async throws -> Standing {
        try await standing(try await transaction.query(standingQuery(id, company: company, schema: transaction.schema.rawValue)))
    }

    private static func standingQuery(_ id: UserID, company: CompanyID, schema: String) -> PostgresQuery {
        """
        SELECT (SELECT role FROM \(unescaped: schema).users WHERE company_id = \(company.uuid) AND id = \(id.uuid)),
               (SELECT deleted_at FROM \(unescaped: schema).deleted_users WHERE company_id = \(company.uuid) AND id = \(id.uuid))
        """
    }

    private static func standing(_ rows: PostgresRowSequence) async throws -> Standing {
        for try await (role, removedAt) in rows.decode((String?, Date?).self) {
            return Standing(role: role.flatMap(Role.init(rawValue:)), removedAt: removedAt)
        }
        return Standing(role: nil, removedAt: nil)
    }

    static func list(company: CompanyID, in transaction: Transaction) async throws -> [User] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT \(unescaped: columns) FROM \(unescaped: schema).users WHERE company_id = \(company.uuid) ORDER BY extension LIMIT 5000")
        var users: [User] = []
        for try await row in rows { users.append(try decode(row)) }
        return users
    }

    /// X-03: ownership changes of one company wait for each other (held to the end of the transaction).
    static func lockOwnership(company: CompanyID, in transaction: Transaction) async throws {
        try await transaction.query("SELECT pg_advisory_xact_lock(hashtextextended('callrouter.ownership:' || \(company.uuid)::text, 0))")
    }

    static func owners(company: CompanyID, in transaction: Transaction) async throws -> Int {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query("SELECT count(*) FROM \(unescaped: schema).users WHERE company_id = \(company.uuid) AND role = 'owner'")
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// X-03: the owners other than `id` become admins (the other half of a transfer).
    static func demoteOwners(company: CompanyID, except id: UserID, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            "UPDATE \(unescaped: schema).users SET role = 'admin' WHERE company_id = \(company.uuid) AND role = 'owner' AND id <> \(id.uuid)")
    }

    /// Every user with the time they were added (X-18), by extension.
    static func listWithAdded(company: CompanyID, in transaction: Transaction) async throws -> [(User, Date)] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns), created_at FROM \(unescaped: schema).users WHERE company_id = \(company.uuid)
            ORDER BY extension LIMIT 5000
            """)
        var users: [(User, Date)] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            users.append((try decode(cells, from: 0), try cells[10].decode(Date.self)))
        }
        return users
    }

    static func agents(_ ids: [UserID], company: CompanyID, in transaction: Transaction) async throws -> [Agent] {
        guard !ids.isEmpty else { return [] }
        var binds = PostgresBindings(capacity: 2)
        binds.append(company.uuid)
        binds.append(ids.map(\.uuid))
        var agents: [Agent] = []
        for try await row in try await transaction.execute(AgentsSQL.self, binds) { agents.append(try decode(row).agent) }
        return agents
    }

    enum AgentsSQL: PreparedText {
        static let sql = "SELECT \(columns) FROM \(CallRouterSQL.schema).users WHERE company_id = $1 AND id = ANY($2)"
    }

    static func byExtension(_ number: Extension, company: CompanyID, in transaction: Transaction) async throws -> User? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT \(unescaped: columns) FROM \(unescaped: schema).users WHERE company_id = \(company.uuid) AND extension = \(number.value)")
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func ids(company: CompanyID, in transaction: Transaction) async throws -> Set<UserID> {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query("SELECT id FROM \(unescaped: schema).users WHERE company_id = \(company.uuid)")
        var ids: Set<UserID> = []
        for try await id in rows.decode(UUID.self) { ids.insert(UserID(id)) }
        return ids
    }

    static func delete(_ id: UserID, company: CompanyID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            WITH gone AS (DELETE FROM \(unescaped: schema).users WHERE company_id = \(company.uuid) AND id = \(id.uuid) RETURNING company_id, id)
            INSERT INTO \(unescaped: schema).deleted_users (company_id, id) SELECT company_id, id FROM gone
            ON CONFLICT (company_id, id) DO UPDATE SET deleted_at = now() RETURNING id
            """)
        for try await _ in rows { return true }
        return false
    }

    /// D-06: the agent is on `call` (answered) or free again (`nil`, only if still on that call).
    static func setOnCall(_ id: UserID, call: CallID, busy: Bool, company: CompanyID, in transaction: Transaction) async throws {
        var binds = PostgresBindings(capacity: 3)
        binds.append(call.uuid)
        binds.append(company.uuid)
        binds.append(id.uuid)
        if busy {
            try await transaction.execute(BusySQL.self, binds)
        } else {
            try await transaction.execute(FreeSQL.self, binds)
        }
    }

    enum BusySQL: PreparedText {
        static let sql = "UPDATE \(CallRouterSQL.schema).users SET on_call = $1 WHERE company_id = $2 AND id = $3"
    }

    /// Only if still on this call: a later call may already hold the agent.
    enum FreeSQL: PreparedText {
        static let sql = "UPDATE \(CallRouterSQL.schema).users SET on_call = NULL WHERE company_id = $2 AND id = $3 AND on_call = $1"
    }

    static func decode(_ row: PostgresRow) throws -> User {
        try decode(row.makeRandomAccess(), from: 0)
    }

    /// `columns`, in their order, from cell `first` on.
    static func decode(_ cells: PostgresRandomAccessRow, from first: Int) throws -> User {
        let id = try cells[first].decode(UUID.self), name = try cells[first + 1].decode(String.self)
        let email = try cells[first + 2].decode(String.self), mobile = try cells[first + 3].decode(String.self)
        let ext = try cells[first + 4].decode(Int.self), role = try cells[first + 5].decode(String.self)
        let availability = try cells[first + 6].decode(String.self), slots = try cells[first + 7].decode(String.self)
        let outbound = try cells[first + 8].decode(Bool.self), onCall = try cells[first + 9].decode(UUID?.self)
        return User(
            id: UserID(id), name: name, email: email, mobile: PhoneNumber(e164: mobile) ?? PhoneNumber(e164: "+910000000000")!,
            extensionNumber: Extension(ext) ?? Extension(10)!, role: Role(rawValue: role) ?? .agent,
            availability: Availability(rawValue: availability) ?? .away, timeSlots: slots == "[]" ? [] : try JSONText.decode([TimeSlot].self, from: slots),
            outboundAllowed: outbound, onCall: onCall.map(CallID.init))
    }
}

import Contracts
import Foundation
import PostgresNIO
import Storage

enum DepartmentStore {
    static let columns = "id, name, manager_id, members, strategy, ring_seconds, sticky, fallback::text, last_offered, music_on_hold"

    /// False when the name is taken in the company.
    static func upsert(_ department: Department, company: CompanyID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let fallback = try JSONText.encode(department.fallback)
        do {
            try await transaction.query(
                """
                INSERT INTO \(unescaped: schema).departments
                    (id, company_id, name, manager_id, members, strategy, ring_seconds, sticky, fallback, music_on_hold)
                VALUES (\(department.id.uuid), \(company.uuid), \(department.name), \(department.managerID?.uuid), \(department.members.map(\.uuid)),
                        \(department.strategy.rawValue), \(department.ringSeconds), \(department.sticky.rawValue), \(fallback)::jsonb,
                        \(department.musicOnHold))
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, manager_id = excluded.manager_id, members = excluded.members,
                    strategy = excluded.strategy, ring_seconds = excluded.ring_seconds, sticky = excluded.sticky, fallback = excluded.fallback,
                    music_on_hold = excluded.music_on_hold
                WHERE departments.company_id = excluded.company_id
                """)
            return true
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            return false
        }
    }

    static func find(_ id: DepartmentID, company: CompanyID, in transaction: Transaction, lock: Bool = false) async throws -> Department? {
        var binds = PostgresBindings(capacity: 2)
        binds.append(company.uuid)
        binds.append(id.uuid)
        let rows = lock ? try await transaction.execute(LockSQL.self, binds) : try await transaction.execute(FindSQL.self, binds)
        for try await row in rows { return try decode(row) }
        return nil
    }

    enum FindSQL: PreparedText {
        static let sql = "SELECT \(columns) FROM \(CallRouterSQL.schema).departments WHERE company_id = $1 AND id = $2"
    }

    /// The department and its members (the call engine's routing, D-04, D-06) in one round trip: one row per member,
    /// the department's columns first.
    static func withMembers(_ id: DepartmentID, company: CompanyID, in session: Transaction) async throws -> (Department, [Agent])? {
        var binds = PostgresBindings(capacity: 2)
        binds.append(company.uuid)
        binds.append(id.uuid)
        var department: Department?
        var agents: [Agent] = []
        for try await row in try await session.execute(WithMembersSQL.self, binds) {
            let cells = row.makeRandomAccess()
            if department == nil { department = try decode(cells) }
            if try cells[columnCount].decode(UUID?.self) != nil { agents.append(try UserStore.decode(cells, from: columnCount).agent) }
        }
        return department.map { ($0, agents) }
    }

    private static let columnCount = columns.split(separator: ", ").count

    enum WithMembersSQL: PreparedText {
        static let sql = """
            SELECT \(columns.split(separator: ", ").map { "d.\($0)" }.joined(separator: ", ")),
                   \(UserStore.columns.split(separator: ", ").map { "u.\($0)" }.joined(separator: ", "))
            FROM \(CallRouterSQL.schema).departments d
            LEFT JOIN \(CallRouterSQL.schema).users u ON u.company_id = d.company_id AND u.id = ANY(d.members)
            WHERE d.company_id = $1 AND d.id = $2
            """
    }

    enum LockSQL: PreparedText {
        static let sql = "SELECT \(columns) FROM \(CallRouterSQL.schema).departments WHERE company_id = $1 AND id = $2 FOR UPDATE"
    }

    static func list(company: CompanyID, in transaction: Transaction) async throws -> [Department] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT \(unescaped: columns) FROM \(unescaped: schema).departments WHERE company_id = \(company.uuid) ORDER BY name LIMIT 1000")
        var departments: [Department] = []
        for try await row in rows { departments.append(try decode(row)) }
        return departments
    }

    static func ids(company: CompanyID, in transaction: Transaction) async throws -> Set<DepartmentID> {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query("SELECT id FROM \(unescaped: schema).departments WHERE company_id = \(company.uuid)")
        var ids: Set<DepartmentID> = []
        for try await id in rows.decode(UUID.self) { ids.insert(DepartmentID(id)) }
        return ids
    }

    static func delete(_ id: DepartmentID, company: CompanyID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "DELETE FROM \(unescaped: schema).departments WHERE company_id = \(company.uuid) AND id = \(id.uuid) RETURNING id")
        for try await _ in rows { return true }
        return false
    }

    /// D-03: the name of a department whose fallback is `target` (every fallback must lead somewhere that exists).
    static func fallingBack(to target: FallbackTarget, company: CompanyID, in transaction: Transaction) async throws -> String? {
        let schema = transaction.schema.rawValue
        let target = try JSONText.encode(target)
        let rows = try await transaction.query(
            "SELECT name FROM \(unescaped: schema).departments WHERE company_id = \(company.uuid) AND fallback @> \(target)::jsonb ORDER BY name LIMIT 1")
        for try await name in rows.decode(String.self) { return name }
        return nil
    }

    /// Departments a manager manages (D-27: managers see the logs of their departments).
    static func managed(by user: UserID, company: CompanyID, in transaction: Transaction) async throws -> [DepartmentID] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            "SELECT id FROM \(unescaped: schema).departments WHERE company_id = \(company.uuid) AND manager_id = \(user.uuid)")
        var ids: [DepartmentID] = []
        for try await id in rows.decode(UUID.self) { ids.append(DepartmentID(id)) }
        return ids
    }

    /// D-04: compare-and-set of the balanced-rotation cursor, as a statement of its own (a decision's session, no
    /// transaction open). It commits without waiting for the disk: a database crash can only move the cursor back
    /// by a call, and then an agent is offered first twice in a row. Never run it inside a transaction that must be
    /// durable, which it would make asynchronous too.
    static func claimRotation(
        _ id: DepartmentID, company: CompanyID, from seen: UserID?, to user: UserID, in session: Transaction
    ) async throws -> Bool {
        var binds = PostgresBindings(capacity: 4)
        binds.append(user.uuid)
        binds.append(company.uuid)
        binds.append(id.uuid)
        binds.append(seen?.uuid)
        return try await session.run(ClaimRotationSQL.self, binds) == 1
    }

    enum ClaimRotationSQL: PreparedText {
        static let sql = """
            UPDATE \(CallRouterSQL.schema).departments SET last_offered = $1
            WHERE company_id = $2 AND id = $3 AND last_offered IS NOT DISTINCT FROM $4::uuid
            RETURNING set_config('synchronous_commit', 'off', true)
            """
    }

    /// Drops a deleted user from every department's members.
    static func removeMember(_ user: UserID, company: CompanyID, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).departments SET members = array_remove(members, \(user.uuid)),
                manager_id = CASE WHEN manager_id = \(user.uuid) THEN NULL ELSE manager_id END
            WHERE company_id = \(company.uuid) AND (\(user.uuid) = ANY(members) OR manager_id = \(user.uuid))
            """)
    }

    static func decode(_ row: PostgresRow) throws -> Department {
        try decode(row.makeRandomAccess())
    }

    /// `columns`, in their order, from the row's first cells.
    static func decode(_ cells: PostgresRandomAccessRow) throws -> Department {
        let id = try cells[0].decode(UUID.self), name = try cells[1].decode(String.self), manager = try cells[2].decode(UUID?.self)
        let members = try cells[3].decode([UUID].self), strategy = try cells[4].decode(String.self), ring = try cells[5].decode(Int.self)
        let sticky = try cells[6].decode(String.self), fallback = try cells[7].decode(String.self), last = try cells[8].decode(UUID?.self)
        let music = try cells[9].decode(String?.self)
        return Department(
            id: DepartmentID(id), name: name, managerID: manager.map(UserID.init), members: members.map(UserID.init),
            strategy: RoutingStrategy(rawValue: strategy) ?? .serial, ringSeconds: ring, sticky: StickyMode(rawValue: sticky) ?? .off,
            fallback: try JSONText.decode(FallbackTarget.self, from: fallback), lastOffered: last.map(UserID.init), musicOnHold: music)
    }
}

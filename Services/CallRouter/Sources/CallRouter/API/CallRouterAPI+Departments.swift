import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

extension CallRouterAPI {
    /// CR-81, D-08: name, manager, ordered members, strategy, ring time, stickiness, fallback. D-27: a manager's new
    /// department is theirs; only owners and admins name another manager.
    @Sendable func createDepartment(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<DepartmentView> {
        let identity = try await authorize(context, "departments.manage", roles: Self.managerRoles)
        let company = identity.companyID
        var body = try await request.decode(as: DepartmentRequest.self, context: context)
        if identity.role == .manager {
            if let manager = body.managerID ?? nil, manager != identity.userID {
                throw APIError.forbidden("auth.forbidden", "Access Denied: only owners and admins name a department's manager.", field: "manager_id")
            }
            body.managerID = identity.userID
        }
        guard let name = body.name else { throw APIError.badRequest("request.field_missing", "The field name is required.", field: "name") }
        guard let strategy = body.strategy else {
            throw APIError.badRequest("request.field_missing", "The field strategy is required (serial, simultaneous or balanced).", field: "strategy")
        }
        let department = Department(
            id: DepartmentID(), name: name, managerID: body.managerID ?? nil, members: body.members ?? [], strategy: strategy,
            ringSeconds: body.ringSeconds ?? DepartmentRules.defaultRingSeconds, sticky: body.sticky ?? .off, fallback: body.fallback ?? .voicemail,
            lastOffered: nil, musicOnHold: body.musicOnHold ?? nil)
        try await database.withTransaction(retryingConflicts: Self.lockAttempts) { transaction in
            try await save(department, company: company, in: transaction)
        }
        return EditedResponse(status: .created, response: DepartmentView(department))
    }

    @Sendable func departments(_ request: Request, context: AppRequestContext) async throws -> Page<DepartmentView> {
        let company = try await authorize(context, "departments.read", roles: Self.callingRoles).companyID
        let list = try await database.withTransaction { try await DepartmentStore.list(company: company, in: $0) }
        return Page(items: list.map(DepartmentView.init), next: nil)
    }

    @Sendable func department(_ request: Request, context: AppRequestContext) async throws -> DepartmentView {
        let company = try await authorize(context, "departments.read", roles: Self.callingRoles).companyID
        let id = try context.id("id", as: DepartmentID.self)
        guard let found = try await database.withTransaction({ try await DepartmentStore.find(id, company: company, in: $0) }) else {
            throw APIError.notFound("department")
        }
        return DepartmentView(found)
    }

    /// D-27: managers edit the departments they manage and cannot hand themselves another; owners and admins any.
    @Sendable func updateDepartment(_ request: Request, context: AppRequestContext) async throws -> DepartmentView {
        let identity = try await authorize(context, "departments.manage", roles: Self.managerRoles)
        let company = identity.companyID
        let id = try context.id("id", as: DepartmentID.self)
        let body = try await request.decode(as: DepartmentRequest.self, context: context)
        return try await database.withTransaction(retryingConflicts: Self.lockAttempts) { transaction in
            guard var department = try await DepartmentStore.find(id, company: company, in: transaction, lock: true) else {
                throw APIError.notFound("department")
            }
            if identity.role == .manager {
                guard department.managerID == identity.userID else {
                    throw APIError.forbidden("auth.forbidden", "Access Denied: managers edit only the departments they manage.")
                }
                if let manager = body.managerID, manager != department.managerID {
                    throw APIError.forbidden("auth.forbidden", "Access Denied: only owners and admins change a department's manager.", field: "manager_id")
                }
            }
            department.name = body.name ?? department.name
            if let manager = body.managerID { department.managerID = manager }
            department.members = body.members ?? department.members
            department.strategy = body.strategy ?? department.strategy
            department.ringSeconds = body.ringSeconds ?? department.ringSeconds
            department.sticky = body.sticky ?? department.sticky
            department.fallback = body.fallback ?? department.fallback
            if let music = body.musicOnHold { department.musicOnHold = music }
            try await save(department, company: company, in: transaction)
            return DepartmentView(department)
        }
    }

    /// D-27: managers delete only the departments they manage. D-03: nothing may still lead to it.
    @Sendable func deleteDepartment(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try await authorize(context, "departments.manage", roles: Self.managerRoles)
        let company = identity.companyID
        let id = try context.id("id", as: DepartmentID.self)
        try await database.withTransaction(retryingConflicts: Self.lockAttempts) { transaction in
            guard let department = try await DepartmentStore.find(id, company: company, in: transaction, lock: true) else {
                throw APIError.notFound("department")
            }
            if identity.role == .manager, department.managerID != identity.userID {
                throw APIError.forbidden("auth.forbidden", "Access Denied: managers delete only the departments they manage.")
            }
            if try await Self.usedInLiveFlow(id.description, company: company, in: transaction) {
                throw APIError.conflict("department.in_use", "A published call flow routes to this department; change the flow first.")
            }
            if let other = try await DepartmentStore.fallingBack(to: .department(id), company: company, in: transaction) {
                throw APIError.conflict("department.in_use", "Department \(other) falls back to this department; change its fallback first (D-03).")
            }
            _ = try await DepartmentStore.delete(id, company: company, in: transaction)
        }
        return Response(status: .noContent)
    }

    /// D-08 and CR-39 at the edge, members and manager must be users of the company, fallbacks must exist (D-02).
    private func save(_ department: Department, company: CompanyID, in transaction: Transaction) async throws {
        if let problem = Department.violation(name: department.name, ringSeconds: department.ringSeconds, members: department.members) {
            throw APIError.unprocessable(problem.code, problem.message, field: problem.field)
        }
        if let music = department.musicOnHold, let problem = MusicOnHold.violation(music) {
            throw APIError.unprocessable("department.music_on_hold.invalid", problem, field: "music_on_hold")
        }
        let users = try await UserStore.ids(company: company, in: transaction)
        if let unknown = department.members.first(where: { !users.contains($0) }) {
            throw APIError.unprocessable("department.member.unknown", "Member \(unknown) is not a user of your company.", field: "members")
        }
        if let manager = department.managerID, !users.contains(manager) {
            throw APIError.unprocessable("department.manager.unknown", "The manager is not a user of your company.", field: "manager_id")
        }
        // D-03: the fallback target is locked, as deleting it locks it: a delete at the same moment goes first (and
        // this save finds nothing), or sees this department falling back to it.
        switch department.fallback {
        case .user(let id) where try await UserStore.find(id, company: company, in: transaction, lock: true) == nil:
            throw APIError.unprocessable("department.fallback.unknown", "The fallback user is not a user of your company.", field: "fallback")
        case .department(let id) where id != department.id:
            if try await DepartmentStore.find(id, company: company, in: transaction, lock: true) == nil {
                throw APIError.unprocessable("department.fallback.unknown", "The fallback department does not exist.", field: "fallback")
            }
        case .department:
            throw APIError.unprocessable("department.fallback.self", "A department cannot fall back to itself.", field: "fallback")
        case .message(let audio) where !FlowValidation.isAudio(audio):
            throw APIError.unprocessable("department.fallback.invalid", "The fallback message needs an audio reference of 1 to 200 characters.", field: "fallback")
        default:
            break
        }
        guard try await DepartmentStore.upsert(department, company: company, in: transaction) else {
            throw APIError.conflict("department.name.taken", "Another department is already called \(department.name).", field: "name")
        }
    }
}

import Contracts
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

extension CallRouterAPI {
    /// name, email, mobile, extension and role; availability and time slots optional.
    @Sendable func createUser(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<UserView> {
        let identity = try context.require("users.manage", roles: Self.adminRoles)
        let company = identity.companyID
        let body = try await request.decode(as: UserRequest.self, context: context)
        guard let name = body.name, let email = body.email, let mobile = body.mobile, let number = body.extension, let role = body.role else {
            let missing = [("name", body.name == nil), ("email", body.email == nil), ("mobile", body.mobile == nil), ("extension", body.extension == nil), ("role", body.role == nil)]
                .first { $0.1 }!.0
            throw APIError.badRequest("request.field_missing", "The field \(missing) is required.", field: missing)
        }
        let user = try Self.validatedUser(
            id: body.id ?? UserID(), name: name, email: email, mobile: mobile, extension: number, role: role,
            availability: body.availability ?? .available, timeSlots: body.timeSlots ?? [], outboundAllowed: body.outboundAllowed ?? true)
        try await database.withTransaction { transaction in
            _ = try await CompanyStore.read(company, in: transaction)
            let (caller, owners) = try await Self.ownership(identity, in: transaction)
            try Self.requireStored(caller, "users.manage")
            try Self.check(Ownership.violation(by: caller, before: nil, after: user.holder, owners: owners), role: caller)
            guard try await UserStore.insert(user, company: company, in: transaction) else {
                if try await UserStore.byExtension(user.extensionNumber, company: company, in: transaction) != nil {
                    throw APIError.conflict("user.extension.taken", "Extension \(user.extensionNumber) is already used in your company (CR-28).", field: "extension")
                }
                throw APIError.conflict("user.exists", "A user with this id already exists.", field: "id")
            }
        }
        return EditedResponse(status: .created, response: UserView(user))
    }

    @Sendable func users(_ request: Request, context: AppRequestContext) async throws -> Page<UserView> {
        let company = try await authorize(context, "users.read", roles: Self.managerRoles).companyID
        let users = try await database.withTransaction { try await UserStore.list(company: company, in: $0) }
        return Page(items: users.map(UserView.init), next: nil)
    }

    /// the users as CSV, filtered by `role`, `department_id` and the date added (`added_from`, `added_to`).
    @Sendable func exportUsers(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try await authorize(context, "reports.export", roles: Self.managerRoles).companyID
        let filter = try Self.userExportFilter(request.uri.queryParameters)
        let (users, departments) = try await database.withTransaction { transaction in
            (try await UserStore.listWithAdded(company: company, in: transaction), try await DepartmentStore.list(company: company, in: transaction))
        }
        var text = CSV.row(["Name", "Email", "Mobile", "Extension", "Role", "Availability", "Outbound Allowed", "Departments", "Added At"])
        for (user, added) in users {
            let memberOf = departments.filter { $0.members.contains(user.id) }
            guard filter.matches(role: user.role, departments: Set(memberOf.map(\.id)), added: added) else { continue }
            text += CSV.row([
                user.name, user.email, user.mobile.e164, user.extensionNumber.description, user.role.rawValue, user.availability.rawValue,
                user.outboundAllowed ? "yes" : "no", memberOf.map(\.name).joined(separator: "; "), Timestamp.format(added),
            ])
        }
        return CSV.response(text, filename: "users.csv")
    }

    static func userExportFilter(_ query: some Sequence<(key: Substring, value: Substring)>) throws -> UserExportFilter {
        var filter = UserExportFilter()
        for (key, value) in query {
            let text = String(value)
            func bad(_ message: String) -> APIError { APIError.badRequest("request.query_invalid", message, field: String(key)) }
            switch key {
            case "role":
                guard let role = Role(rawValue: text) else { throw bad("role is one of owner, admin, manager, agent, billing.") }
                filter.role = role
            case "department_id":
                guard let id = DepartmentID(text) else { throw bad("department_id must be a UUID.") }
                filter.department = id
            case "added_from", "added_to":
                guard let date = Timestamp.parse(text) else { throw bad("\(key) must be an ISO-8601 timestamp such as 2026-11-28T00:00:00Z.") }
                if key == "added_from" { filter.addedFrom = date } else { filter.addedTo = date }
            default:
                continue
            }
        }
        return filter
    }

    @Sendable func user(_ request: Request, context: AppRequestContext) async throws -> UserView {
        let identity = try await authorize(context, "users.read", roles: Self.callingRoles.union([.billing]))
        let id = try context.id("id", as: UserID.self)
        if id != identity.userID, !Self.managerRoles.contains(identity.role) { throw APIError.accessDenied(identity.role, lacks: "users.read") }
        guard let user = try await database.withTransaction({ try await UserStore.find(id, company: identity.companyID, in: $0) }) else {
            throw APIError.notFound("user")
        }
        return UserView(user)
    }

    /// CR-28: only owners and admins edit users, extensions included; X-42: every user edits their own name and email.
    @Sendable func updateUser(_ request: Request, context: AppRequestContext) async throws -> UserView {
        let identity = try context.requireIdentity()
        let company = identity.companyID
        let id = try context.id("id", as: UserID.self)
        let body = try await request.decode(as: UserRequest.self, context: context)
        if !Self.adminRoles.contains(identity.role), id != identity.userID { try context.require("users.manage", roles: Self.adminRoles) }
        // A transfer locks the new owner's row, then the former owner's; call routing locks users too.
        return try await database.withTransaction(retryingConflicts: Self.lockAttempts) { transaction in
            let (caller, owners) = try await Self.ownership(identity, in: transaction)
            // The stored role decides as well: a token issued before a demotion still names the old role.
            let editsOwnProfileOnly = !Self.adminRoles.contains(caller)
            if editsOwnProfileOnly, id != identity.userID { try Self.requireStored(caller, "users.manage") }
            guard let current = try await UserStore.find(id, company: company, in: transaction, lock: true) else { throw APIError.notFound("user") }
            let user = try Self.validatedUser(
                id: id, name: body.name ?? current.name, email: body.email ?? current.email, mobile: body.mobile ?? current.mobile.e164,
                extension: body.extension ?? current.extensionNumber.value, role: body.role ?? current.role,
                availability: body.availability ?? current.availability, timeSlots: body.timeSlots ?? current.timeSlots,
                outboundAllowed: body.outboundAllowed ?? current.outboundAllowed)
            if editsOwnProfileOnly, let field = Self.beyondProfile(from: current, to: user) {
                let elsewhere = ["availability", "time_slots"].contains(field)
                    ? "set it with PUT /v1/users/{id}/availability (CR-29)." : "it is for owners and admins (CR-28)."
                throw APIError.forbidden("auth.forbidden", "Access Denied: you can change your own name and email (X-42); \(field): \(elsewhere)", field: field)
            }
            try Self.check(Ownership.violation(by: caller, before: current.holder, after: user.holder, owners: owners), role: caller)
            if user.extensionNumber != current.extensionNumber,
                try await UserStore.byExtension(user.extensionNumber, company: company, in: transaction) != nil
            {
                throw APIError.conflict("user.extension.taken", "Extension \(user.extensionNumber) is already used in your company (CR-28).", field: "extension")
            }
            guard try await UserStore.update(user, company: company, in: transaction) else {
                throw APIError.conflict("user.extension.taken", "Extension \(user.extensionNumber) is already used in your company (CR-28).", field: "extension")
            }
            // giving an existing user the owner role is the transfer; whoever held it is an admin from now on.
            if current.role != .owner, user.role == .owner { try await UserStore.demoteOwners(company: company, except: id, in: transaction) }
            var saved = user
            saved.onCall = current.onCall
            return UserView(saved)
        }
    }

    /// CR-29 … CR-31, D-27: agents set their own availability; managers and admins anyone's.
    @Sendable func setAvailability(_ request: Request, context: AppRequestContext) async throws -> UserView {
        let identity = try await authorize(context, "availability.manage", roles: Self.callingRoles)
        let id = try context.id("id", as: UserID.self)
        if id != identity.userID, !Self.managerRoles.contains(identity.role) {
            throw APIError.accessDenied(identity.role, lacks: "availability.manage_team")
        }
        let body = try await request.decode(as: AvailabilityRequest.self, context: context)
        if let slots = body.timeSlots { try Self.checkSlots(slots) }
        return try await database.withTransaction { transaction in
            guard var user = try await UserStore.find(id, company: identity.companyID, in: transaction, lock: true) else {
                throw APIError.notFound("user")
            }
            user.availability = body.availability
            user.timeSlots = body.timeSlots ?? user.timeSlots
            _ = try await UserStore.update(user, company: identity.companyID, in: transaction)
            return UserView(user)
        }
    }

    /// only admins delete users; a user on a call, or named in a published flow, must be freed first.
    @Sendable func deleteUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.require("users.delete", roles: Self.adminRoles)
        let company = identity.companyID
        let id = try context.id("id", as: UserID.self)
        try await database.withTransaction(retryingConflicts: Self.lockAttempts) { transaction in
            let (caller, owners) = try await Self.ownership(identity, in: transaction)
            try Self.requireStored(caller, "users.delete")
            guard let user = try await UserStore.find(id, company: company, in: transaction, lock: true) else { throw APIError.notFound("user") }
            try Self.check(Ownership.deletion(by: caller, of: user.role, owners: owners), role: caller)
            if user.onCall != nil { throw APIError.conflict("user.on_call", "The user is on a call; delete them after it ends.") }
            if try await Self.usedInLiveFlow(id.description, company: company, in: transaction) {
                throw APIError.conflict("user.in_use", "A published call flow sends calls to this user; change the flow first (X-07).")
            }
            if let department = try await DepartmentStore.fallingBack(to: .user(id), company: company, in: transaction) {
                throw APIError.conflict("user.in_use", "Department \(department) falls back to this user; change its fallback first (D-03).")
            }
            try await DepartmentStore.removeMember(id, company: company, in: transaction)
            _ = try await UserStore.delete(id, company: company, in: transaction)
        }
        return Response(status: .noContent)
    }

    static func validatedUser(
        id: UserID, name: String, email: String, mobile: String, extension number: Int, role: Role, availability: Availability,
        timeSlots: [TimeSlot], outboundAllowed: Bool
    ) throws -> User {
        try TextRules.check(name, field: "name", max: 100, code: "user.name.invalid")
        guard EmailAddress.isPlausible(email) else {
            throw APIError.unprocessable("user.email.invalid", "The email is not a valid address.", field: "email")
        }
        let phone = try TextRules.phone(mobile, field: "mobile")
        guard let ext = Extension(number) else {
            throw APIError.unprocessable("user.extension.invalid", "An extension is exactly two digits, 10 to 99 (CR-26).", field: "extension")
        }
        try checkSlots(timeSlots)
        return User(
            id: id, name: name, email: email, mobile: phone, extensionNumber: ext, role: role, availability: availability, timeSlots: timeSlots,
            outboundAllowed: outboundAllowed, onCall: nil)
    }

    /// ownership changes are taken one at a time per company, and judged by the caller's stored role; with the
    /// number of owners now.
    static func ownership(_ identity: Identity, in transaction: Transaction) async throws -> (caller: Role, owners: Int) {
        try await UserStore.lockOwnership(company: identity.companyID, in: transaction)
        let standing = try await UserStore.standing(of: identity.userID, company: identity.companyID, in: transaction)
        if standing.refuses(tokenIssuedAt: identity.issuedAt) { throw Self.removed }
        let stored = standing.role
        let owners = try await UserStore.owners(company: identity.companyID, in: transaction)
        return (Ownership.effectiveRole(token: identity.role, stored: stored, owners: owners), owners)
    }

    /// D-27: managing users needs an owner's or admin's role as stored, not only as the token says: a token issued
    /// before a demotion still names the old role.
    static func requireStored(_ role: Role, _ permission: String) throws {
        guard adminRoles.contains(role) else { throw APIError.accessDenied(role, lacks: permission) }
    }

    /// D-27: 403 naming the permission admins lack; 409 for a change that would leave no owner or two.
    static func check(_ violation: Ownership.Violation?, role: Role) throws {
        guard let violation else { return }
        guard violation.isForbidden else { throw APIError.conflict(violation.code, violation.message, field: violation.field) }
        throw APIError.accessDenied(role, lacks: Ownership.permission, because: violation.message, field: violation.field)
    }

    /// the first field, as the request names it, that a user editing their own profile changed beyond their name
    /// and e-mail. A field sent with its current value changes nothing.
    static func beyondProfile(from current: User, to user: User) -> String? {
        let changes: [(String, Bool)] = [
            ("mobile", user.mobile != current.mobile), ("extension", user.extensionNumber != current.extensionNumber),
            ("role", user.role != current.role), ("availability", user.availability != current.availability),
            ("time_slots", user.timeSlots != current.timeSlots), ("outbound_allowed", user.outboundAllowed != current.outboundAllowed),
        ]
        return changes.first { $0.1 }?.0
    }

    static func checkSlots(_ slots: [TimeSlot]) throws {
        if slots.count > 20 { throw APIError.unprocessable("user.time_slots.too_many", "A user has at most 20 time slots.", field: "time_slots") }
        for (index, slot) in slots.enumerated() {
            if let problem = slot.violation {
                throw APIError.unprocessable("user.time_slots.invalid", "Time slot \(index + 1): \(problem) (CR-31).", field: "time_slots[\(index)]")
            }
        }
    }

    /// Whether the published graph of an active flow names `id` (a user or a department).
    static func usedInLiveFlow(_ id: String, company: CompanyID, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT 1 FROM \(unescaped: schema).flows f
            JOIN \(unescaped: schema).flow_versions v ON v.flow_id = f.id AND v.version = f.published_version
            WHERE f.company_id = \(company.uuid) AND f.status = 'active' AND strpos(lower(v.graph::text), lower(\(id))) > 0
            LIMIT 1
            """)
        for try await _ in rows { return true }
        return false
    }
}

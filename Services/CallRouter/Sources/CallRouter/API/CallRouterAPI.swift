import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

/// `/v1/...` for people: the company's telephony configuration, click-to-call and the call logs (D-27 roles, D-28
/// company scope on every query).
struct CallRouterAPI: Sendable {
    let database: Database
    let outbox: Outbox
    let control: CallControl
    let sharedPool: SharedNumberPool

    /// D-27: owners and admins configure users, numbers, flows, lines.
    static let adminRoles: Set<Role> = [.owner, .admin]
    /// D-27: managers also run departments, availability and the blocklist.
    static let managerRoles: Set<Role> = [.owner, .admin, .manager]
    /// Saving a department locks it and its fallback target; deleting a user or a department locks it and then the
    /// departments that name it. Orders cross, so PostgreSQL may abort one of two such requests as a deadlock: it is
    /// run again, up to this many times in all, before the client sees a 503.
    static let lockAttempts = 3
    /// Everyone who takes calls.
    static let callingRoles: Set<Role> = [.owner, .admin, .manager, .agent]

    /// D-27: the caller, allowed by `roles` as the token says and as their user row says now: a token issued before a
    /// demotion still names the old role until it expires, and one of a deleted user names a role nobody holds. The
    /// token is the ceiling: a stored role above it does not widen it. A caller the company has no user for (an
    /// integration's token, the owner who set the company up) is taken at the token's word. The identity returned
    /// carries the role that counted, so scopes follow it too. User management checks the same under its
    /// ownership lock (`ownership`).
    func authorize(_ context: AppRequestContext, _ permission: String, roles: Set<Role>) async throws -> Identity {
        let token = try context.require(permission, roles: roles)
        let standing = try await UserStore.standing(of: token.userID, company: token.companyID, in: database)
        if standing.refuses(tokenIssuedAt: token.issuedAt) { throw Self.removed }
        guard let stored = standing.role else { return token }
        let role = Role.lesser(token.role, stored)
        guard roles.contains(role) else { throw APIError.accessDenied(role, lacks: permission) }
        return Identity(userID: token.userID, companyID: token.companyID, role: role, issuedAt: token.issuedAt)
    }

    static let removed = APIError(.forbidden, code: "auth.forbidden", message: "Access Denied: this user was removed from the company.")

    func register(_ v1: RouterGroup<AppRequestContext>) {
        v1.post("users", use: createUser)
        v1.get("users", use: users)
        v1.get("users/export", use: exportUsers)
        v1.get("users/:id", use: user)
        v1.patch("users/:id", use: updateUser)
        v1.put("users/:id/availability", use: setAvailability)
        v1.delete("users/:id", use: deleteUser)

        v1.post("departments", use: createDepartment)
        v1.get("departments", use: departments)
        v1.get("departments/:id", use: department)
        v1.patch("departments/:id", use: updateDepartment)
        v1.delete("departments/:id", use: deleteDepartment)

        v1.post("flows", use: createFlow)
        v1.get("flows", use: flows)
        v1.get("flows/:id", use: flow)
        v1.put("flows/:id/draft", use: saveDraft)
        v1.post("flows/:id/publish", use: publish)
        v1.post("flows/:id/disable", use: disable)
        v1.delete("flows/:id", use: deleteFlow)

        v1.post("dids", use: createNumber)
        v1.get("dids", use: numbers)
        v1.patch("dids/:number", use: mapNumber)
        v1.delete("dids/:number", use: deleteNumber)

        v1.post("blocklist", use: block)
        v1.get("blocklist", use: blocklist)
        v1.get("blocklist/export", use: exportBlocklist)
        v1.delete("blocklist/:number", use: unblock)

        v1.get("callrouter/settings", use: settings)
        v1.patch("callrouter/settings", use: updateSettings)

        v1.post("calls/outbound", use: outbound)
        v1.get("calls", use: calls)
        v1.get("calls/export", use: exportCalls)
        v1.get("reports/calls", use: callReport)
        v1.get("calls/:uid", use: call)
        v1.get("calls/:uid/recording", use: recording)
        v1.get("calls/:uid/voicemail", use: recording)
        v1.post("calls/:uid/notes", use: addNote)
        v1.post("calls/:uid/disposition", use: setDisposition)
    }

    /// A path parameter that is a phone number.
    static func number(_ context: AppRequestContext, _ name: String = "number") throws -> PhoneNumber {
        guard let text = context.parameters.get(name), let decoded = text.removingPercentEncoding, let number = PhoneNumber(e164: decoded) else {
            throw APIError.badRequest("request.invalid_number", "The \(name) in the path must be an E.164 number such as +911234567890.", field: name)
        }
        return number
    }
}

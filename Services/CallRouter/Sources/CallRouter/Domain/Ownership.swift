import Contracts
import ServiceKit

/// X-03, D-27: a company has one owner, and only the owner hands ownership on, to an existing user. Admins do
/// everything else, but only the owner gives the owner role, takes it away, deletes an owner or changes an owner's
/// registered mobile or e-mail (where the account's one-time passwords and resets go).
enum Ownership {
    /// What ownership looks at in a user.
    struct Holder: Equatable, Sendable {
        var role: Role
        var mobile: PhoneNumber
        var email: String
    }

    enum Violation: Equatable, Sendable {
        case givesOwnerRole
        case takesOwnerRole
        case changesOwnersMobile
        case changesOwnersEmail
        case deletesOwner
        /// A second owner: ownership is transferred, not shared.
        case ownerExists
        /// The company would be left without an owner.
        case lastOwner

        /// Whether it is the caller's role that is short (403), rather than the change that breaks the rule (409).
        var isForbidden: Bool { ![.ownerExists, .lastOwner].contains(self) }

        /// The request field at fault.
        var field: String? {
            switch self {
            case .givesOwnerRole, .takesOwnerRole, .ownerExists, .lastOwner: "role"
            case .changesOwnersMobile: "mobile"
            case .changesOwnersEmail: "email"
            case .deletesOwner: nil
            }
        }

        var code: String {
            switch self {
            case .ownerExists: "user.owner.exists"
            case .lastOwner: "user.owner.last"
            default: "auth.forbidden"
            }
        }

        var message: String {
            switch self {
            case .givesOwnerRole: "Only the account's owner can make someone an owner (X-03): ownership is transferred by the owner."
            case .takesOwnerRole: "Only the account's owner can change an owner's role (X-03)."
            case .changesOwnersMobile: "Only the account's owner can change an owner's registered mobile (X-03)."
            case .changesOwnersEmail: "Only the account's owner can change an owner's e-mail (X-03)."
            case .deletesOwner: "Only the account's owner can delete an owner (X-03)."
            case .ownerExists:
                "The company has an owner already. Ownership is transferred by giving an existing user the owner role (X-03)."
            case .lastOwner: "The company keeps its owner: give the owner role to another user to transfer ownership (X-03)."
            }
        }
    }

    /// The permission D-27 keeps from admins, named in the 403.
    static let permission = "users.transfer_ownership"

    /// The role that counts for ownership: the caller's own user row when there is one, since a token issued before a
    /// transfer still says owner. A caller without a row is taken at the token's word only while the company has no
    /// owner row: once one exists, the owner is that user, and a token saying owner for anyone else (a former owner
    /// whose row was deleted) counts as an admin.
    static func effectiveRole(token: Role, stored: Role?, owners: Int) -> Role {
        // The stored role decides here, also above the token: an ownership transfer must take effect before the new
        // owner's identity provider issues a token naming it, or the company would have no owner in effect.
        if let stored { return stored }
        return token == .owner && owners > 0 ? .admin : token
    }

    /// A user created (`before` nil) or changed from `before` to `after` by a caller whose effective role is `caller`,
    /// in a company with `owners` owners now. Giving the owner role to an existing user is the transfer: the caller
    /// applies it together with demoting the other owners.
    static func violation(by caller: Role, before: Holder?, after: Holder, owners: Int) -> Violation? {
        guard caller == .owner else {
            guard let before, before.role == .owner else { return after.role == .owner ? .givesOwnerRole : nil }
            if after.role != .owner { return .takesOwnerRole }
            if after.mobile != before.mobile { return .changesOwnersMobile }
            return after.email == before.email ? nil : .changesOwnersEmail
        }
        guard let before else { return after.role == .owner && owners > 0 ? .ownerExists : nil }
        return before.role == .owner && after.role != .owner && owners <= 1 ? .lastOwner : nil
    }

    /// Deleting a user of role `target`.
    static func deletion(by caller: Role, of target: Role, owners: Int) -> Violation? {
        guard target == .owner else { return nil }
        if caller != .owner { return .deletesOwner }
        return owners <= 1 ? .lastOwner : nil
    }
}

import Contracts
import ServiceKit

/// X-03, D-27: the owner role is the owner's to hand on. Admins do everything else, but only the current owner gives
/// the owner role, takes it away, deletes an owner or changes an owner's registered mobile (the number the account's
/// one-time passwords go to).
enum Ownership {
    /// What a change would do to ownership that the caller may not do.
    enum Violation: Equatable, Sendable {
        case givesOwnerRole
        case takesOwnerRole
        case changesOwnersMobile
        case deletesOwner

        /// The request field at fault.
        var field: String? {
            switch self {
            case .givesOwnerRole, .takesOwnerRole: "role"
            case .changesOwnersMobile: "mobile"
            case .deletesOwner: nil
            }
        }

        var message: String {
            switch self {
            case .givesOwnerRole: "Only the account's owner can make someone an owner (X-03): ownership is transferred by the owner."
            case .takesOwnerRole: "Only the account's owner can change an owner's role (X-03)."
            case .changesOwnersMobile: "Only the account's owner can change an owner's registered mobile (X-03)."
            case .deletesOwner: "Only the account's owner can delete an owner (X-03)."
            }
        }
    }

    /// The permission D-27 keeps from admins, named in the 403.
    static let permission = "users.transfer_ownership"

    /// A user created (`before` nil) or changed from `before` to `after` by a caller of role `caller`.
    static func violation(by caller: Role, before: (role: Role, mobile: PhoneNumber)?, after: (role: Role, mobile: PhoneNumber)) -> Violation? {
        guard caller != .owner else { return nil }
        guard let before else { return after.role == .owner ? .givesOwnerRole : nil }
        if before.role != .owner { return after.role == .owner ? .givesOwnerRole : nil }
        if after.role != .owner { return .takesOwnerRole }
        return after.mobile == before.mobile ? nil : .changesOwnersMobile
    }

    /// Deleting a user of role `target`.
    static func deletion(by caller: Role, of target: Role) -> Violation? {
        caller != .owner && target == .owner ? .deletesOwner : nil
    }
}

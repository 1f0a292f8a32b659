public import Foundation
public import Contracts

/// Who is calling, read from a verified JWT: the user, their company (D-28 tenancy) and role (D-27).
public struct Identity: Sendable, Hashable {
    public let userID: UserID
    public let companyID: CompanyID
    public let role: Role
    /// The token's `iat`, when it has one: a token issued before its user was removed must not count.
    public let issuedAt: Date?

    public init(userID: UserID, companyID: CompanyID, role: Role, issuedAt: Date? = nil) {
        self.userID = userID
        self.companyID = companyID
        self.role = role
        self.issuedAt = issuedAt
    }
}

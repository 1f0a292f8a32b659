public import Contracts

/// Who is calling, read from a verified JWT: the user, their company (D-28 tenancy) and role (D-27).
public struct Identity: Sendable, Hashable {
    public let userID: UserID
    public let companyID: CompanyID
    public let role: Role

    public init(userID: UserID, companyID: CompanyID, role: Role) {
        self.userID = userID
        self.companyID = companyID
        self.role = role
    }
}

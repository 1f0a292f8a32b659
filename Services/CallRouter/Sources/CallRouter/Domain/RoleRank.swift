import ServiceKit

extension Role {
    /// D-27: the lesser of two roles by what they may do in CallRouter (billing may do least here). A token and the
    /// stored user both bound the caller: a demotion counts at once, and a token never carries more than it names.
    static func lesser(_ a: Role, _ b: Role) -> Role {
        func rank(_ role: Role) -> Int {
            switch role {
            case .owner: 4
            case .admin: 3
            case .manager: 2
            case .agent: 1
            case .billing: 0
            }
        }
        return rank(b) < rank(a) ? b : a
    }
}

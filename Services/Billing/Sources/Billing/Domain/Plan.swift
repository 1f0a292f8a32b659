/// BI-20: the plans a company can be on. `rank` orders them: a higher rank is an upgrade (BI-21).
public enum Plan: String, Sendable, Codable, CaseIterable, Comparable {
    case compact, sedan, suv, enterprise

    public var rank: Int {
        switch self {
        case .compact: 1
        case .sedan: 2
        case .suv: 3
        case .enterprise: 4
        }
    }

    public static func < (lhs: Plan, rhs: Plan) -> Bool { lhs.rank < rhs.rank }
}

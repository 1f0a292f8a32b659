/// D-27: what a user may do. The JWT `role` claim carries one of these.
public enum Role: String, Sendable, Codable, CaseIterable, Hashable {
    case owner, admin, manager, agent, billing
}

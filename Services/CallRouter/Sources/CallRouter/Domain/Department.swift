import Contracts

/// CR-81, CR-36 … CR-41, D-02, D-04, D-05, D-08: a team that takes calls together.
struct Department: Hashable, Sendable {
    var id: DepartmentID
    var name: String
    var managerID: UserID?
    /// The dialling order (CR-38).
    var members: [UserID]
    var strategy: RoutingStrategy
    var ringSeconds: Int
    var sticky: StickyMode
    var fallback: FallbackTarget
    /// D-04: the member offered the department's previous call, where balanced rotation resumes.
    var lastOffered: UserID?
    /// CR-25: the department's music on hold, if it has its own.
    var musicOnHold: String? = nil

    /// D-08, CR-39: edge checks of a department as saved; (code, field, message) of the first problem.
    static func violation(name: String, ringSeconds: Int, members: [UserID]) -> (code: String, field: String, message: String)? {
        let trimmed = name.trimmingCharacters()
        if trimmed.isEmpty { return ("department.name.empty", "name", "A department needs a name.") }
        // Counted as PostgreSQL counts (code points): "👨‍👩‍👧‍👦" is one character to Swift and seven to the database's check.
        if name.unicodeScalars.count > DepartmentRules.maxNameLength {
            return ("department.name.too_long", "name", "A department name has at most 16 characters, or call notifications cannot carry it (D-08).")
        }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return ("department.name.control_character", "name", "A department name cannot contain control characters.")
        }
        if !DepartmentRules.ringRange.contains(ringSeconds) {
            return ("department.ring_out_of_range", "ring_seconds", "Ring time is 10 to 25 seconds (CR-39).")
        }
        if Set(members).count != members.count { return ("department.members.duplicate", "members", "A user is listed twice in the members.") }
        if members.count > 200 { return ("department.members.too_many", "members", "A department has at most 200 members.") }
        return nil
    }
}

extension String {
    func trimmingCharacters() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return self[start..<end]
    }
}

import Contracts

/// D-02: the one target every fallback uses (menu after its last repeat CR-20, no input CR-21, a strict sticky agent
/// who cannot ring CR-41, a department whose members were all tried D-04).
enum FallbackTarget: Hashable, Sendable, Codable {
    case voicemail
    /// D-01: the flow's operator destination (key 0).
    case `operator`
    case user(UserID)
    case department(DepartmentID)
    case message(audio: String)
    case disconnect

    enum CodingKeys: String, CodingKey {
        case type
        case userID = "user_id"
        case departmentID = "department_id"
        case audio
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "voicemail": self = .voicemail
        case "operator": self = .operator
        case "user": self = .user(try container.decode(UserID.self, forKey: .userID))
        case "department": self = .department(try container.decode(DepartmentID.self, forKey: .departmentID))
        case "message": self = .message(audio: try container.decode(String.self, forKey: .audio))
        case "disconnect": self = .disconnect
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription: "a fallback type is one of voicemail, operator, user, department, message, disconnect")
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .voicemail: try container.encode("voicemail", forKey: .type)
        case .operator: try container.encode("operator", forKey: .type)
        case .user(let id):
            try container.encode("user", forKey: .type)
            try container.encode(id, forKey: .userID)
        case .department(let id):
            try container.encode("department", forKey: .type)
            try container.encode(id, forKey: .departmentID)
        case .message(let audio):
            try container.encode("message", forKey: .type)
            try container.encode(audio, forKey: .audio)
        case .disconnect: try container.encode("disconnect", forKey: .type)
        }
    }
}

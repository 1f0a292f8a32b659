public import Foundation

/// `call.started`: a call reached the platform and took a line (inbound), or an agent placed one (outbound).
public struct CallStarted: Event {
    public static let type = EventType.callStarted

    public var uid: CallID
    public var direction: CallCompleted.Direction
    public var did: PhoneNumber
    public var customer: PhoneNumber?
    /// The agent who placed an outbound call.
    public var agentID: UserID?
    public var startedAt: Date
    /// CR-75: as `CallCompleted.masked`: agents must not be shown `customer`. Absent otherwise.
    public var masked: Bool?

    public init(
        uid: CallID, direction: CallCompleted.Direction, did: PhoneNumber, customer: PhoneNumber?, agentID: UserID? = nil, startedAt: Date,
        masked: Bool? = nil
    ) {
        self.uid = uid
        self.direction = direction
        self.did = did
        self.customer = customer
        self.agentID = agentID
        self.startedAt = startedAt
        self.masked = masked == true ? true : nil
    }

    enum CodingKeys: String, CodingKey {
        case uid, direction, did, customer, masked
        case agentID = "agent_id"
        case startedAt = "started_at"
    }
}

/// `call.answered`: an agent picked up (the customer, for an outbound call). Webhooks forwards it as the "Incall" hook.
public struct CallAnswered: Event {
    public static let type = EventType.callAnswered

    public var uid: CallID
    public var direction: CallCompleted.Direction
    public var did: PhoneNumber
    public var customer: PhoneNumber?
    public var agentID: UserID
    public var departmentID: DepartmentID?
    public var answeredAt: Date
    /// From system pickup to the answer: what the caller waited in the IVR and ringing.
    public var waitSeconds: Int
    /// CR-75: as `CallCompleted.masked`: agents must not be shown `customer`. Absent otherwise.
    public var masked: Bool?

    public init(
        uid: CallID, direction: CallCompleted.Direction, did: PhoneNumber, customer: PhoneNumber?, agentID: UserID,
        departmentID: DepartmentID?, answeredAt: Date, waitSeconds: Int, masked: Bool? = nil
    ) {
        self.uid = uid
        self.direction = direction
        self.did = did
        self.customer = customer
        self.agentID = agentID
        self.departmentID = departmentID
        self.answeredAt = answeredAt
        self.waitSeconds = waitSeconds
        self.masked = masked == true ? true : nil
    }

    enum CodingKeys: String, CodingKey {
        case uid, direction, did, customer, masked
        case agentID = "agent_id"
        case departmentID = "department_id"
        case answeredAt = "answered_at"
        case waitSeconds = "wait_seconds"
    }
}

/// `call.transferred` (CR-43, CR-44): an agent handed a live call to another agent or department.
public struct CallTransferred: Event {
    public static let type = EventType.callTransferred

    public enum Mode: String, Codable, Sendable, CaseIterable {
        case blind, warm
    }

    public var uid: CallID
    public var fromAgentID: UserID
    public var toAgentID: UserID
    public var departmentID: DepartmentID?
    public var mode: Mode
    public var transferredAt: Date

    public init(uid: CallID, fromAgentID: UserID, toAgentID: UserID, departmentID: DepartmentID?, mode: Mode, transferredAt: Date) {
        self.uid = uid
        self.fromAgentID = fromAgentID
        self.toAgentID = toAgentID
        self.departmentID = departmentID
        self.mode = mode
        self.transferredAt = transferredAt
    }

    enum CodingKeys: String, CodingKey {
        case uid, mode
        case fromAgentID = "from_agent_id"
        case toAgentID = "to_agent_id"
        case departmentID = "department_id"
        case transferredAt = "transferred_at"
    }
}

/// `call.disposition` (WH-05): an agent tagged a finished call with an outcome code.
public struct CallDisposition: Event {
    public static let type = EventType.callDisposition

    public var uid: CallID
    public var agentID: UserID
    public var disposition: String
    public var comment: String?
    public var recordedAt: Date

    public init(uid: CallID, agentID: UserID, disposition: String, comment: String?, recordedAt: Date) {
        self.uid = uid
        self.agentID = agentID
        self.disposition = disposition
        self.comment = comment
        self.recordedAt = recordedAt
    }

    enum CodingKeys: String, CodingKey {
        case uid, disposition, comment
        case agentID = "agent_id"
        case recordedAt = "recorded_at"
    }
}

/// `call.lost` (CR-52, D-07): an inbound call found every line busy. It has no call log; this and a system-log row are
/// all that is left of it.
public struct CallLost: Event {
    public static let type = EventType.callLost

    public var did: PhoneNumber
    public var customer: PhoneNumber?
    public var carrierCallID: String
    public var lines: Int
    public var lostAt: Date

    public init(did: PhoneNumber, customer: PhoneNumber?, carrierCallID: String, lines: Int, lostAt: Date) {
        self.did = did
        self.customer = customer
        self.carrierCallID = carrierCallID
        self.lines = lines
        self.lostAt = lostAt
    }

    enum CodingKeys: String, CodingKey {
        case did, customer, lines
        case carrierCallID = "carrier_call_id"
        case lostAt = "lost_at"
    }
}

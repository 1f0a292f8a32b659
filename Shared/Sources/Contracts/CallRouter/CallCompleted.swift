public import Foundation

/// `call.completed`: a call ended. Billing rates it, AfterCall runs its automations, Webhooks forwards it.
public struct CallCompleted: Event {
    public static let type = EventType.callCompleted

    public enum Direction: String, Codable, Sendable, CaseIterable {
        case inbound, outbound
    }

    /// The kind of the company's number the call used (BI-16: who pays depends on it).
    public enum NumberType: String, Codable, Sendable, CaseIterable {
        case virtual
        case tollFree = "toll_free"
        case mobile
    }

    public enum Outcome: String, Codable, Sendable, CaseIterable {
        case connected, missed, voicemail, rejected
        case noFlow = "no_flow"
        case failed
    }

    public var uid: CallID
    public var direction: Direction
    public var did: PhoneNumber
    public var didType: NumberType
    /// The customer's number: the caller of an inbound call, the callee of an outbound one.
    public var customer: PhoneNumber?
    public var agentID: UserID?
    public var departmentID: DepartmentID?
    public var outcome: Outcome
    /// CR-54: the offered agent's network failed, rather than the agent not answering.
    public var notReachable: Bool
    /// BI-10: when the platform picked up (IVR began); nil when it never did.
    public var pickedUpAt: Date?
    public var endedAt: Date
    /// BI-10, BI-11: system pickup to call end, post-call wrap included. The call log's duration.
    public var billableSeconds: Int
    public var recordingURL: String?
    /// CR-59: when the recording can be played (processing takes up to two minutes after the call ends): a CRM that
    /// fetches it earlier gets nothing yet. Absent without a recording.
    public var recordingAvailableAt: Date?
    /// CR-74, AC-09: dropped unanswered by a Missed Call Service number; its follow-up (SMS, WhatsApp, callback, CRM) is
    /// due. Absent otherwise.
    public var missedCallService: Bool?
    /// CR-75: the call came in on (or went out through) a masking number, so agents must not be shown `customer`;
    /// the CRM keeps it for the audit trail. Absent otherwise.
    public var masked: Bool?

    public init(
        uid: CallID, direction: Direction, did: PhoneNumber, didType: NumberType, customer: PhoneNumber?, agentID: UserID? = nil,
        departmentID: DepartmentID? = nil, outcome: Outcome, notReachable: Bool = false, pickedUpAt: Date?, endedAt: Date,
        billableSeconds: Int, recordingURL: String? = nil, recordingAvailableAt: Date? = nil, missedCallService: Bool? = nil, masked: Bool? = nil
    ) {
        self.uid = uid
        self.direction = direction
        self.did = did
        self.didType = didType
        self.customer = customer
        self.agentID = agentID
        self.departmentID = departmentID
        self.outcome = outcome
        self.notReachable = notReachable
        self.pickedUpAt = pickedUpAt
        self.endedAt = endedAt
        self.billableSeconds = billableSeconds
        self.recordingURL = recordingURL
        self.recordingAvailableAt = recordingURL == nil ? nil : recordingAvailableAt
        self.missedCallService = missedCallService == true ? true : nil
        self.masked = masked == true ? true : nil
    }

    enum CodingKeys: String, CodingKey {
        case uid, direction, did, customer, outcome
        case didType = "did_type"
        case agentID = "agent_id"
        case departmentID = "department_id"
        case notReachable = "not_reachable"
        case pickedUpAt = "picked_up_at"
        case endedAt = "ended_at"
        case billableSeconds = "billable_seconds"
        case recordingURL = "recording_url"
        case recordingAvailableAt = "recording_available_at"
        case missedCallService = "missed_call_service"
        case masked
    }
}

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

    /// The longest call any release bills: a week. A larger `billable_seconds` is no call's, and rating it would
    /// overflow the charge (a trap, in every rating consumer); decoding refuses it, so the inbox dead-letters the event.
    public static let billableSecondsRange = 0...604_800

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        uid = try values.decode(CallID.self, forKey: .uid)
        direction = try values.decode(Direction.self, forKey: .direction)
        did = try values.decode(PhoneNumber.self, forKey: .did)
        didType = try values.decode(NumberType.self, forKey: .didType)
        customer = try values.decodeIfPresent(PhoneNumber.self, forKey: .customer)
        agentID = try values.decodeIfPresent(UserID.self, forKey: .agentID)
        departmentID = try values.decodeIfPresent(DepartmentID.self, forKey: .departmentID)
        outcome = try values.decode(Outcome.self, forKey: .outcome)
        notReachable = try values.decode(Bool.self, forKey: .notReachable)
        pickedUpAt = try values.decodeIfPresent(Date.self, forKey: .pickedUpAt)
        endedAt = try values.decode(Date.self, forKey: .endedAt)
        billableSeconds = try values.decode(Int.self, forKey: .billableSeconds)
        guard Self.billableSecondsRange.contains(billableSeconds) else {
            throw DecodingError.dataCorruptedError(
                forKey: .billableSeconds, in: values, debugDescription: "billable_seconds must be 0 to 604800 (a week), got \(billableSeconds)")
        }
        recordingURL = try values.decodeIfPresent(String.self, forKey: .recordingURL)
        recordingAvailableAt = try values.decodeIfPresent(Date.self, forKey: .recordingAvailableAt)
        missedCallService = try values.decodeIfPresent(Bool.self, forKey: .missedCallService)
        masked = try values.decodeIfPresent(Bool.self, forKey: .masked)
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

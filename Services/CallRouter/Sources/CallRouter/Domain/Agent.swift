import Contracts

/// What routing needs to know about a user at the moment a call is offered.
struct Agent: Hashable, Sendable {
    var id: UserID
    var name: String
    var mobile: PhoneNumber
    var extensionNumber: Extension
    var availability: Availability
    var timeSlots: [TimeSlot]
    /// D-06: already talking on another call.
    var onCall: Bool
    /// may place outbound calls.
    var outboundAllowed: Bool
}

/// D-06 (CR-29 … CR-32): why an agent is not offered a call; nil means the agent may ring.
enum Ineligibility: String, Sendable, Codable, Hashable {
    case notMember = "not_member"
    case away
    case optedOut = "opted_out"
    case outsideTimeSlots = "outside_time_slots"
    case onCall = "on_call"
    case accountSuspended = "account_suspended"
}

enum Eligibility {
    /// D-06: member of the department (when the call comes through one), `available`, inside a time slot (none means
    /// always), not on another call, and the account not suspended. `optOut` refuses even direct-extension calls (CR-30).
    static func check(_ agent: Agent, members: [UserID]?, at moment: LocalMoment, suspended: Bool) -> Ineligibility? {
        if suspended { return .accountSuspended }
        if let members, !members.contains(agent.id) { return .notMember }
        switch agent.availability {
        case .optOut: return .optedOut
        case .away: return .away
        case .available: break
        }
        if !agent.timeSlots.isEmpty, !agent.timeSlots.contains(where: { $0.contains(moment) }) { return .outsideTimeSlots }
        if agent.onCall { return .onCall }
        return nil
    }
}

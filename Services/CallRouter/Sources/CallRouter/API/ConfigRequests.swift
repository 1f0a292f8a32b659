import Contracts
import Foundation
import ServiceKit

/// POST /v1/users and PATCH /v1/users/{id}: absent fields keep their value on PATCH.
struct UserRequest: Decodable {
    var id: UserID?
    var name: String?
    var email: String?
    var mobile: String?
    var `extension`: Int?
    var role: Role?
    var availability: Availability?
    var timeSlots: [TimeSlot]?
    var outboundAllowed: Bool?

    enum CodingKeys: String, CodingKey {
        case id, name, email, mobile, `extension`, role, availability
        case timeSlots = "time_slots"
        case outboundAllowed = "outbound_allowed"
    }
}

/// PUT /v1/users/{id}/availability (CR-29 … CR-31).
struct AvailabilityRequest: Decodable {
    var availability: Availability
    var timeSlots: [TimeSlot]?

    enum CodingKeys: String, CodingKey {
        case availability
        case timeSlots = "time_slots"
    }
}

struct DepartmentRequest: Decodable {
    var name: String?
    var managerID: UserID??
    var members: [UserID]?
    var strategy: RoutingStrategy?
    var ringSeconds: Int?
    var sticky: StickyMode?
    var fallback: FallbackTarget?
    /// CR-25: null removes the department's own music.
    var musicOnHold: String??

    enum CodingKeys: String, CodingKey {
        case name, members, strategy, sticky, fallback
        case managerID = "manager_id"
        case ringSeconds = "ring_seconds"
        case musicOnHold = "music_on_hold"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        if container.contains(.managerID) { managerID = .some(try container.decodeIfPresent(UserID.self, forKey: .managerID)) }
        members = try container.decodeIfPresent([UserID].self, forKey: .members)
        strategy = try container.decodeIfPresent(RoutingStrategy.self, forKey: .strategy)
        ringSeconds = try container.decodeIfPresent(Int.self, forKey: .ringSeconds)
        sticky = try container.decodeIfPresent(StickyMode.self, forKey: .sticky)
        fallback = try container.decodeIfPresent(FallbackTarget.self, forKey: .fallback)
        if container.contains(.musicOnHold) { musicOnHold = .some(try container.decodeIfPresent(String.self, forKey: .musicOnHold)) }
    }
}

struct FlowRequest: Decodable {
    var name: String?
    var graph: CallFlowGraph
    /// PUT …/draft: the draft version the edit was made on; a stale one gets 409.
    var version: Int?
}

struct NumberRequest: Decodable {
    var number: String
    var type: CallCompleted.NumberType
    var shared: Bool?
    var flowID: FlowID?
    /// CR-74.
    var missedCallService: Bool?
    /// CR-75.
    var callMasking: Bool?

    enum CodingKeys: String, CodingKey {
        case number, type, shared
        case flowID = "flow_id"
        case missedCallService = "missed_call_service"
        case callMasking = "call_masking"
    }
}

struct NumberMappingRequest: Decodable {
    var flowID: FlowID?
    /// CR-74.
    var missedCallService: Bool?
    /// CR-75; absent: unchanged.
    var callMasking: Bool?

    enum CodingKeys: String, CodingKey {
        case flowID = "flow_id"
        case missedCallService = "missed_call_service"
        case callMasking = "call_masking"
    }
}

struct BlockRequest: Decodable {
    var number: String
    var reason: String
}

struct SettingsRequest: Decodable {
    var lines: Int?
    var timeZone: String?
    var directDialing: Bool?
    var stickyWindowDays: Int?

    enum CodingKeys: String, CodingKey {
        case lines
        case timeZone = "time_zone"
        case directDialing = "direct_dialing"
        case stickyWindowDays = "sticky_window_days"
    }
}

struct NoteRequest: Decodable {
    var text: String
}

struct DispositionRequest: Decodable {
    var disposition: String
    var comment: String?
}

struct OutboundRequest: Decodable {
    var customer: String?
    /// CR-75: call back the customer of this call, whose number the agent may not see.
    var callbackOf: CallID?
    var callerID: String?
    var method: OutboundMethod?

    enum CodingKeys: String, CodingKey {
        case customer, method
        case callbackOf = "callback_of"
        case callerID = "caller_id"
    }
}

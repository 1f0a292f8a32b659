import Contracts
import Foundation

/// Where a live call is in its flow; stored as JSON on the call's row, so any replica can serve its next event.
struct CallState: Hashable, Sendable, Codable {
    enum Phase: String, Hashable, Sendable, Codable {
        /// Playing prompts and waiting for keys.
        case ivr
        /// Agents are being offered the call.
        case ringing
        case connected
        case voicemail
        /// Outbound: the agent's leg rings, then the customer's (CR-76).
        case dialingAgent = "dialing_agent"
        case dialingCustomer = "dialing_customer"
        case ended
    }

    var phase: Phase = .ivr
    /// The node waiting for input (menu, language, input).
    var node: String?
    /// CR-19: plays of the current menu so far.
    var plays: Int = 0
    /// CR-17: chosen on a language node.
    var language: String?
    var offer: Offer?
    /// CR-74: dropped unanswered by a Missed Call Service number (absent in states saved before it existed).
    var missedCallService: Bool?
    /// CR-75: the call came in on a masking number: agents see the number, not the caller (absent: not masked).
    var masked: Bool?
    /// The agent talking to the caller.
    var agent: UserID?
    /// The last agent who answered; the call's agent in its log.
    var answeredBy: UserID?
    var department: DepartmentID?
    var voicemailRecorded: Bool = false
    var notReachable: Bool = false
    /// Set while a warm transfer's target rings and the first agent is still talking.
    var transfer: PendingTransfer?
    /// CR-42: the agent assigned routing rang instead of the menu; it happens once per call.
    var assigned: UserID?

    /// An offer of the call to agents, one round after another (D-04).
    struct Offer: Hashable, Sendable, Codable {
        var department: DepartmentID?
        var rounds: [[UserID]]
        var next: Int
        var ringing: [UserID]
        var ringSeconds: Int
        var strategy: RoutingStrategy?
        var fallback: FallbackTarget
        /// CR-25: what the caller hears while this offer rings (absent in states saved before music on hold).
        var musicOnHold: String? = nil
    }

    struct PendingTransfer: Hashable, Sendable, Codable {
        var from: UserID
        var mode: CallTransferred.Mode
    }
}

/// One entry of the call's journey (CR-53, X-16 "Detailed Log"): every node visited, every offer and its result.
struct JourneyEntry: Hashable, Sendable, Codable {
    var at: Date
    var kind: String
    var nodeID: String?
    var agents: [UserID]?
    var detail: String?

    enum CodingKeys: String, CodingKey {
        case at, kind, agents, detail
        case nodeID = "node_id"
    }
}

import Contracts
import Foundation

/// What the switch reports about a live call (`POST /v1/calls/{uid}/events`).
enum SwitchEvent: Hashable, Sendable {
    case dtmf(String)
    case noInput
    /// `leg` matters for outbound calls: the agent answers first, then the customer (CR-76).
    case offerAnswered(agent: UserID?, leg: Leg)
    case offerRejected(reason: OfferFailure, leg: Leg)
    case offerTimeout(leg: Leg)
    case voicemailRecorded(url: String, seconds: Int)
    case hangup(recordingURL: String?)
    /// CR-43, CR-44: an agent moves a live call. Callers cannot (CR-45).
    case transfer(by: Party, agent: UserID?, to: TransferTarget, mode: CallTransferred.Mode)

    enum Leg: String, Hashable, Sendable, Codable {
        case agent, customer
    }

    /// Events that bring a recording for the call's row, whatever the engine makes of them.
    var carriesRecording: Bool {
        switch self {
        case .voicemailRecorded, .hangup: true
        default: false
        }
    }

    enum Party: String, Hashable, Sendable, Codable {
        case agent, caller
    }

    /// CR-54: `notReachable` = the network could not reach the phone at all.
    enum OfferFailure: String, Hashable, Sendable, Codable {
        case busy, declined
        case notReachable = "not_reachable"
    }
}

/// CR-43: where an agent can send a live call.
enum TransferTarget: Hashable, Sendable {
    case `extension`(Extension)
    case user(UserID)
    case department(DepartmentID)
}

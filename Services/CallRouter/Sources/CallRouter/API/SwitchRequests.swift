import Contracts
import Foundation
import ServiceKit

/// `POST /v1/calls` from the switch: a call arrived on one of the company's numbers.
struct IncomingCallRequest: Decodable {
    var did: String
    var caller: String?
    var carrierCallID: String
    /// CR-16: the digits dialled after the comma of "<number>,<extension>".
    var `extension`: String?
    /// When the switch picked up; defaults to now.
    var at: Date?

    enum CodingKeys: String, CodingKey {
        case did, caller, `extension`, at
        case carrierCallID = "carrier_call_id"
    }

    func validated(now: Date) throws -> CallControl.Incoming {
        guard let did = PhoneNumber(e164: did) else {
            throw APIError.badRequest("call.did.invalid", "The did must be an E.164 number such as +911234567890.", field: "did")
        }
        var callerNumber: PhoneNumber?
        if let caller, !caller.isEmpty {
            guard let parsed = PhoneNumber(e164: caller) else {
                throw APIError.badRequest("call.caller.invalid", "The caller must be an E.164 number, or absent when withheld.", field: "caller")
            }
            callerNumber = parsed
        }
        guard (1...128).contains(carrierCallID.utf8.count), !TextRules.hasControlCharacters(carrierCallID) else {
            throw APIError.badRequest("call.carrier_call_id.invalid", "The carrier_call_id has 1 to 128 printable characters.", field: "carrier_call_id")
        }
        var dialed: Extension?
        if let digits = `extension`, !digits.isEmpty {
            guard let parsed = Extension(digits: digits) else {
                throw APIError.badRequest("call.extension.invalid", "An extension is two digits, 10 to 99 (CR-26).", field: "extension")
            }
            dialed = parsed
        }
        return CallControl.Incoming(
            did: did, caller: callerNumber, carrierCallID: carrierCallID, dialedExtension: dialed, at: try SwitchClock.check(at, now: now))
    }
}

/// The switch says when things happened (`at`). Its clock may be off a little, but a time a day away from ours is a
/// mistake: kept, it would make a call last decades (an overflow of its billable seconds, and a call the sweeper can
/// never end).
enum SwitchClock {
    static let tolerance: TimeInterval = 86_400

    static func check(_ at: Date?, now: Date) throws -> Date {
        guard let at else { return now }
        guard abs(at.timeIntervalSince(now)) <= tolerance else {
            throw APIError.badRequest("call.at.out_of_range", "The time `at` must be within a day of now; check the switch's clock.", field: "at")
        }
        return at
    }
}

/// `POST /v1/calls/{uid}/events` from the switch.
struct SwitchEventRequest: Decodable {
    enum Kind: String, Decodable {
        case dtmf
        case noInput = "no_input"
        case offerAnswered = "offer_answered"
        case offerRejected = "offer_rejected"
        case offerTimeout = "offer_timeout"
        case voicemailRecorded = "voicemail_recorded"
        case hangup
        case transfer
    }

    struct Target: Decodable {
        var `extension`: Int?
        var userID: UserID?
        var departmentID: DepartmentID?

        enum CodingKeys: String, CodingKey {
            case `extension`
            case userID = "user_id"
            case departmentID = "department_id"
        }
    }

    /// The switch's id for this event; a resent event with the same id gets the same answer.
    var eventID: String?
    var type: Kind
    var digits: String?
    var agentID: UserID?
    var leg: SwitchEvent.Leg?
    var reason: SwitchEvent.OfferFailure?
    var recordingURL: String?
    var seconds: Int?
    var by: SwitchEvent.Party?
    var to: Target?
    var mode: CallTransferred.Mode?
    var at: Date?

    enum CodingKeys: String, CodingKey {
        case type, digits, leg, reason, seconds, by, to, mode, at
        case eventID = "event_id"
        case agentID = "agent_id"
        case recordingURL = "recording_url"
    }

    func event() throws -> SwitchEvent {
        if let eventID, !(1...128).contains(eventID.utf8.count) {
            throw APIError.badRequest("call.event_id.invalid", "The event_id has 1 to 128 characters.", field: "event_id")
        }
        switch type {
        case .dtmf:
            guard let digits, (1...20).contains(digits.count), digits.allSatisfy({ "0123456789*#".contains($0) }) else {
                throw APIError.badRequest("call.digits.invalid", "DTMF digits are 1 to 20 of 0-9, * and #.", field: "digits")
            }
            return .dtmf(digits)
        case .noInput:
            return .noInput
        case .offerAnswered:
            let leg = leg ?? .agent
            if leg == .agent, agentID == nil, by != nil {
                throw APIError.badRequest("request.field_missing", "The field agent_id is required.", field: "agent_id")
            }
            return .offerAnswered(agent: agentID, leg: leg)
        case .offerRejected:
            return .offerRejected(reason: reason ?? .declined, leg: leg ?? .agent)
        case .offerTimeout:
            return .offerTimeout(leg: leg ?? .agent)
        case .voicemailRecorded:
            guard let url = recordingURL, OutboundURLPolicy.isHTTPURL(url) else {
                throw APIError.badRequest("call.recording_url.invalid", "The recording_url must be an http(s) URL.", field: "recording_url")
            }
            let seconds = seconds ?? 0
            guard (0...3600).contains(seconds) else {
                throw APIError.badRequest("call.seconds.invalid", "The recording length is 0 to 3600 seconds.", field: "seconds")
            }
            return .voicemailRecorded(url: url, seconds: seconds)
        case .hangup:
            if let url = recordingURL, !OutboundURLPolicy.isHTTPURL(url) {
                throw APIError.badRequest("call.recording_url.invalid", "The recording_url must be an http(s) URL.", field: "recording_url")
            }
            return .hangup(recordingURL: recordingURL)
        case .transfer:
            guard let by else { throw APIError.badRequest("request.field_missing", "The field by is required (agent or caller).", field: "by") }
            let target: TransferTarget
            if let number = to?.extension {
                guard let parsed = Extension(number) else {
                    throw APIError.badRequest("call.extension.invalid", "An extension is two digits, 10 to 99 (CR-26).", field: "to.extension")
                }
                target = .extension(parsed)
            } else if let user = to?.userID {
                target = .user(user)
            } else if let department = to?.departmentID {
                target = .department(department)
            } else {
                throw APIError.badRequest("request.field_missing", "Transfer needs to.extension, to.user_id or to.department_id.", field: "to")
            }
            return .transfer(by: by, agent: agentID, to: target, mode: mode ?? .blind)
        }
    }
}

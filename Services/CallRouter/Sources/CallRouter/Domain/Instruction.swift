import Contracts

/// What the switch does next (the answer to every call-control request), in order.
enum Instruction: Hashable, Sendable, Encodable {
    case play(audio: String, language: String?)
    case gather(maxDigits: Int, timeoutSeconds: Int)
    case dial(Dial)
    case recordVoicemail(maxSeconds: Int)
    case hangup(reason: HangupReason)

    struct Dial: Hashable, Sendable, Encodable {
        var agents: [DialAgent]
        var ringSeconds: Int
        var strategy: RoutingStrategy?
        /// Outbound: the customer leg, shown the company's number as caller ID.
        var customer: PhoneNumber?
        var callerID: PhoneNumber?
        /// A warm transfer keeps the first agent on the line while this rings.
        var warm: Bool
        /// CR-25: the .mp3 the caller hears instead of the ringback; absent: the switch's own (always during a transfer).
        var musicOnHold: String? = nil

        enum CodingKeys: String, CodingKey {
            case agents, strategy, customer, warm
            case ringSeconds = "ring_seconds"
            case callerID = "caller_id"
            case musicOnHold = "music_on_hold"
        }
    }

    struct DialAgent: Hashable, Sendable, Encodable {
        var userID: UserID
        var number: PhoneNumber
        var `extension`: Extension

        enum CodingKeys: String, CodingKey {
            case number, `extension`
            case userID = "user_id"
        }
    }

    enum CodingKeys: String, CodingKey {
        case type, audio, language, timeout, reason
        case afterRings = "after_rings"
        case maxDigits = "max_digits"
        case maxSeconds = "max_seconds"
        case finishOnKey = "finish_on_key"
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .play(let audio, let language):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("play", forKey: .type)
            try container.encode(audio, forKey: .audio)
            try container.encodeIfPresent(language, forKey: .language)
        case .gather(let maxDigits, let timeout):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("gather", forKey: .type)
            try container.encode(maxDigits, forKey: .maxDigits)
            try container.encode(timeout, forKey: .timeout)
            try container.encode("#", forKey: .finishOnKey)
        case .dial(let dial):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("dial", forKey: .type)
            try dial.encode(to: encoder)
        case .recordVoicemail(let maxSeconds):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("record_voicemail", forKey: .type)
            try container.encode(maxSeconds, forKey: .maxSeconds)
        case .hangup(let reason):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode("hangup", forKey: .type)
            try container.encode(reason, forKey: .reason)
            // CR-74: let it ring first, so the caller sees a missed call, and never answer: they pay nothing.
            if reason == .missedCallService { try container.encode(HangupReason.missedCallRings, forKey: .afterRings) }
        }
    }
}

/// Why the platform ends a call.
enum HangupReason: String, Hashable, Sendable, Codable {
    case blocked
    /// CR-74: a Missed Call Service number, after `after_rings` rings, unanswered.
    case missedCallService = "missed_call_service"
    case accountSuspended = "account_suspended"
    case noFlow = "no_flow"
    case noLines = "lost_capacity"
    case disconnect
    case flowEnded = "flow_ended"
    case voicemailSaved = "voicemail_saved"
    case flowLoop = "flow_loop"
    case outboundFailed = "outbound_failed"

    /// CR-74: "disconnected after 1–2 rings".
    static let missedCallRings = 2
}

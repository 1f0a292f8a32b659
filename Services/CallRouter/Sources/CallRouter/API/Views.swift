import Contracts
import Foundation
import Hummingbird
import ServiceKit

struct UserView: ResponseCodable {
    var id: UserID
    var name: String
    var email: String
    var mobile: PhoneNumber
    var `extension`: Int
    var role: Role
    var availability: Availability
    var timeSlots: [TimeSlot]
    var outboundAllowed: Bool
    var onCall: CallID?

    init(_ user: User) {
        id = user.id
        name = user.name
        email = user.email
        mobile = user.mobile
        self.extension = user.extensionNumber.value
        role = user.role
        availability = user.availability
        timeSlots = user.timeSlots
        outboundAllowed = user.outboundAllowed
        onCall = user.onCall
    }

    enum CodingKeys: String, CodingKey {
        case id, name, email, mobile, `extension`, role, availability
        case timeSlots = "time_slots"
        case outboundAllowed = "outbound_allowed"
        case onCall = "on_call"
    }
}

struct DepartmentView: ResponseCodable {
    var id: DepartmentID
    var name: String
    var managerID: UserID?
    var members: [UserID]
    var strategy: RoutingStrategy
    var ringSeconds: Int
    var sticky: StickyMode
    var fallback: FallbackTarget
    var musicOnHold: String?

    init(_ department: Department) {
        id = department.id
        name = department.name
        managerID = department.managerID
        members = department.members
        strategy = department.strategy
        ringSeconds = department.ringSeconds
        sticky = department.sticky
        fallback = department.fallback
        musicOnHold = department.musicOnHold
    }

    enum CodingKeys: String, CodingKey {
        case id, name, members, strategy, sticky, fallback
        case managerID = "manager_id"
        case ringSeconds = "ring_seconds"
        case musicOnHold = "music_on_hold"
    }
}

struct FlowView: ResponseCodable {
    var id: FlowID
    var name: String
    var status: CallFlow.Status
    var draft: CallFlowGraph
    var draftVersion: Int
    var publishedVersion: Int?
    var publishedAt: Date?
    var published: CallFlowGraph?
    var updatedAt: Date

    init(_ flow: CallFlow, published: CallFlowGraph? = nil) {
        id = flow.id
        name = flow.name
        status = flow.status
        draft = flow.draft
        draftVersion = flow.draftVersion
        publishedVersion = flow.publishedVersion
        publishedAt = flow.publishedAt
        self.published = published
        updatedAt = flow.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, status, draft, published
        case draftVersion = "draft_version"
        case publishedVersion = "published_version"
        case publishedAt = "published_at"
        case updatedAt = "updated_at"
    }
}

struct NumberView: ResponseCodable {
    var number: PhoneNumber
    var type: CallCompleted.NumberType
    var shared: Bool
    var flowID: FlowID?
    var createdAt: Date
    var missedCallService: Bool
    var callMasking: Bool

    init(_ number: Number) {
        self.number = number.number
        type = number.type
        shared = number.shared
        flowID = number.flowID
        createdAt = number.createdAt
        missedCallService = number.missedCallService
        callMasking = number.callMasking
    }

    enum CodingKeys: String, CodingKey {
        case number, type, shared
        case flowID = "flow_id"
        case createdAt = "created_at"
        case missedCallService = "missed_call_service"
        case callMasking = "call_masking"
    }
}

struct BlockedNumberView: ResponseCodable {
    var number: PhoneNumber
    var reason: String
    var blockedBy: UserID?
    var createdAt: Date

    init(_ entry: BlockedNumber) {
        number = entry.number
        reason = entry.reason
        blockedBy = entry.blockedBy
        createdAt = entry.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case number, reason
        case blockedBy = "blocked_by"
        case createdAt = "created_at"
    }
}

struct SettingsView: ResponseCodable {
    var lines: Int
    var linesInUse: Int
    var outboundCap: Int
    var outboundInUse: Int
    var timeZone: String
    var directDialing: Bool
    var stickyWindowDays: Int
    var suspended: Bool

    init(_ settings: CompanySettings) {
        lines = settings.lines
        linesInUse = settings.linesInUse
        outboundCap = LinePolicy(lines: settings.lines).outboundCap
        outboundInUse = settings.outboundInUse
        timeZone = settings.timeZone
        directDialing = settings.directDialing
        stickyWindowDays = settings.stickyWindowDays
        suspended = settings.suspended
    }

    enum CodingKeys: String, CodingKey {
        case lines, suspended
        case linesInUse = "lines_in_use"
        case outboundCap = "outbound_cap"
        case outboundInUse = "outbound_in_use"
        case timeZone = "time_zone"
        case directDialing = "direct_dialing"
        case stickyWindowDays = "sticky_window_days"
    }
}

/// One row of the call log (CR-53, CR-56).
struct CallLogView: ResponseCodable {
    var uid: CallID
    var direction: CallCompleted.Direction
    /// The outcome once ended; `live` while the call is in progress.
    var status: String
    var did: PhoneNumber
    var didType: CallCompleted.NumberType
    /// E.164; on a masked call (CR-75) an agent sees only its last four digits.
    var customer: String?
    /// CR-75: the call came in on a masking number (or calls back one that did).
    var masked: Bool
    var agentID: UserID?
    var departmentID: DepartmentID?
    var notReachable: Bool
    /// CR-74: a missed call to a Missed Call Service number.
    var missedCallService: Bool
    var startedAt: Date
    var answeredAt: Date?
    var endedAt: Date?
    var durationSeconds: Int?
    /// CR-59, CR-61: whether the recording and the voicemail can be played now; each URL is there only when `available`.
    var recordingStatus: RecordingAccess
    var recordingURL: String?
    var voicemailStatus: RecordingAccess
    var voicemailURL: String?
    var disposition: String?
    var dispositionComment: String?

    init(_ call: CallRecord, role: Role, now: Date = Date()) {
        uid = call.uid
        direction = call.direction
        status = call.outcome?.rawValue ?? "live"
        did = call.did
        didType = call.didType
        customer = call.customer.map { CallMasking.shown($0, masked: call.state.masked == true, to: role) }
        masked = call.state.masked == true
        agentID = call.agentID
        departmentID = call.departmentID
        notReachable = call.notReachable
        missedCallService = call.state.missedCallService == true
        startedAt = call.startedAt
        answeredAt = call.answeredAt
        endedAt = call.endedAt
        durationSeconds = call.billableSeconds
        recordingStatus = RecordingAccess(.recording, url: call.recordingURL, endedAt: call.endedAt, role: role, now: now)
        recordingURL = recordingStatus == .available ? call.recordingURL : nil
        voicemailStatus = RecordingAccess(.voicemail, url: call.voicemailURL, endedAt: call.endedAt, role: role, now: now)
        voicemailURL = voicemailStatus == .available ? call.voicemailURL : nil
        disposition = call.disposition
        dispositionComment = call.dispositionComment
    }

    enum CodingKeys: String, CodingKey {
        case uid, direction, status, did, customer, masked, disposition
        case didType = "did_type"
        case agentID = "agent_id"
        case departmentID = "department_id"
        case notReachable = "not_reachable"
        case missedCallService = "missed_call_service"
        case startedAt = "started_at"
        case answeredAt = "answered_at"
        case endedAt = "ended_at"
        case durationSeconds = "duration_seconds"
        case recordingStatus = "recording_status"
        case recordingURL = "recording_url"
        case voicemailStatus = "voicemail_status"
        case voicemailURL = "voicemail_url"
        case dispositionComment = "disposition_comment"
    }
}

/// The detailed log: the row, the whole journey and the notes.
struct CallDetailView: ResponseCodable {
    var call: CallLogView
    var journey: [JourneyEntry]
    var notes: [CallNote]
}

struct OutboundView: ResponseCodable {
    var uid: CallID
}

public import ServiceKit
public import Foundation

/// CR-59, X-05, CR-61: whether a call's audio can be played now, by this caller. Its URL is shown only when it can.
public enum RecordingAccess: String, Codable, Sendable, Equatable {
    /// Played and downloaded from its URL.
    case available
    /// Still being processed: the call is live or ended under two minutes ago.
    case processing
    /// A call recording, and the caller's role lacks `recordings.access`.
    case restricted
    /// The call has no recording and no voicemail.
    case absent

    public static let permission = "recordings.access"
    /// D-27 gives managers the logs of their departments and agents their own calls; the recordings of a conversation
    /// are the managers' (and up) by default. A voicemail is a message left for the business, which every role that
    /// sees the call may play (CR-61: agents listen to voicemails).
    public static let recordingRoles: Set<Role> = [.owner, .admin, .manager]
    public static let processingTime: TimeInterval = 120

    public init(recording: String?, voicemail: String?, endedAt: Date?, role: Role, now: Date) {
        guard recording != nil || voicemail != nil else {
            self = .absent
            return
        }
        if recording != nil, !Self.recordingRoles.contains(role) {
            self = .restricted
        } else if let endedAt, now.timeIntervalSince(endedAt) >= Self.processingTime {
            self = .available
        } else {
            self = .processing
        }
    }
}

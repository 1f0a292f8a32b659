public import Foundation
public import ServiceKit

/// CR-59, X-05, CR-61: whether a call's recording, or its voicemail, can be played now by this caller. Its URL is
/// shown only when it can.
public enum RecordingAccess: String, Codable, Sendable, Equatable {
    /// Played and downloaded from its URL.
    case available
    /// Still being processed: the call is live or ended under two minutes ago.
    case processing
    /// The caller's role lacks `recordings.access`.
    case restricted
    /// The call has none.
    case absent

    public enum Audio: Sendable {
        /// The conversation: recordings are the managers' (and up) by default, D-27 giving managers the logs of their
        /// departments and agents only their own calls.
        case recording
        /// A message left for the business, which every role that sees the call may play (CR-61).
        case voicemail
    }

    /// The roles holding `recordings.access` by default.
    public static let recordingRoles: Set<Role> = [.owner, .admin, .manager]
    public static let processingTime: TimeInterval = 120

    public init(_ audio: Audio, url: String?, endedAt: Date?, role: Role, now: Date) {
        if url == nil {
            self = .absent
        } else if audio == .recording, !Self.recordingRoles.contains(role) {
            self = .restricted
        } else if let endedAt, now.timeIntervalSince(endedAt) >= Self.processingTime {
            self = .available
        } else {
            self = .processing
        }
    }
}

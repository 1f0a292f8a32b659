import Foundation

/// D-14: where a campaign is in its life.
enum CampaignStatus: String, Codable, Sendable, CaseIterable {
    case draft, scheduled, paused, cancelled, sending, completed
    case partiallySent = "partially_sent"
    case failed

    /// Finished campaigns never change again.
    var isFinal: Bool { [.cancelled, .completed, .partiallySent, .failed].contains(self) }

    /// CA-43: only drafts and failed campaigns can be deleted.
    var isDeletable: Bool { self == .draft || self == .failed }

    /// D-14: a draft is scheduled; a paused campaign is re-confirmed (with a new credit check) to run again.
    var canSchedule: Bool { self == .draft || self == .paused }
}

/// D-14, CA-38: the time rules of scheduling and cancelling.
enum CampaignSchedule {
    /// CA-38: a scheduled campaign can be cancelled up to 5 minutes before it is sent.
    static let cancelLead: TimeInterval = 5 * 60
    /// D-14: a send time at most 90 days ahead.
    static let horizon: TimeInterval = 90 * 86_400

    /// CA-38, D-14: cancelling is allowed while `scheduled` (or `paused`, which has not begun) and only while now is at
    /// least 5 minutes before the send time; afterwards the queue is locked.
    static func canCancel(_ status: CampaignStatus, sendAt: Date?, now: Date) -> Bool {
        guard status == .scheduled || status == .paused else { return false }
        guard let sendAt else { return true }
        return now <= sendAt.addingTimeInterval(-cancelLead)
    }

    enum SendTimeProblem: Error, Equatable {
        case inThePast, tooFarAhead
    }

    /// D-14: "send now" is now; a scheduled time must lie ahead and within 90 days. A minute of slack absorbs clock
    /// differences between the user's device and the server.
    static func check(sendAt: Date, now: Date) -> SendTimeProblem? {
        if sendAt < now.addingTimeInterval(-60) { return .inThePast }
        if sendAt > now.addingTimeInterval(horizon) { return .tooFarAhead }
        return nil
    }
}

import Foundation

/// CA-43: the counts behind a campaign's Sent %, Delivered %, Read % and Failed %.
struct CampaignCounts: Sendable, Equatable, Codable {
    var recipients: Int = 0
    var queued: Int = 0
    var sent: Int = 0
    var delivered: Int = 0
    var read: Int = 0
    var failed: Int = 0

    /// Percentages of all recipients, one decimal. A message that was read was also delivered and sent, so each
    /// percentage counts the messages that reached at least that stage.
    var sentPercent: Double { Self.percent(sent + delivered + read, of: recipients) }
    var deliveredPercent: Double { Self.percent(delivered + read, of: recipients) }
    var readPercent: Double { Self.percent(read, of: recipients) }
    var failedPercent: Double { Self.percent(failed, of: recipients) }

    static func percent(_ part: Int, of whole: Int) -> Double {
        guard whole > 0 else { return 0 }
        return (Double(part) * 1_000 / Double(whole)).rounded() / 10
    }

    /// D-14: the final status once nothing is queued or in flight: no message reached the provider → failed; some
    /// recipients beyond the quota → partially_sent (CA-40); otherwise completed (single recipients the provider
    /// refused are in the report, the campaign itself ran).
    func finalStatus(quotaOverflow: Int) -> CampaignStatus? {
        guard queued == 0 else { return nil }
        if sent + delivered + read == 0 { return .failed }
        return quotaOverflow > 0 ? .partiallySent : .completed
    }
}

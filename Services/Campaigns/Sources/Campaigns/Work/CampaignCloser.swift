import Contracts
import Foundation
import Logging
import Storage

/// Ends a campaign once none of its messages is queued or in flight (D-14), and releases its credit hold (D-15).
struct CampaignCloser: Sendable {
    let database: Database
    let outbox: Outbox
    let billing: BillingClient
    let logger: Logger

    /// Answers the final status when this call closed the campaign.
    @discardableResult
    func closeIfDone(_ id: CampaignID) async throws -> CampaignStatus? {
        let closed = try await database.withTransaction { transaction in
            try await Self.closeIfDone(id, outbox: outbox, in: transaction)
        }
        if closed != nil { await release(id) }
        return closed
    }

    /// This campaign's hold, at once; a failure is left to the runner's sweep.
    func release(_ id: CampaignID) async {
        do {
            guard let (company, reservation) = try await database.withTransaction({ try await CampaignStore.unreleased(id, in: $0) }) else { return }
            try await billing.release(company: company, reservation: reservation)
            try await database.withTransaction { try await CampaignStore.markReleased(id, in: $0) }
        } catch {
            logger.warning("credit hold not released yet", metadata: ["campaign": "\(id)", "error": "\(error)"])
        }
    }

    /// Under the campaign's row lock, so two senders finishing together close it once.
    static func closeIfDone(_ id: CampaignID, outbox: Outbox, in transaction: Transaction) async throws -> CampaignStatus? {
        // Most jobs end with others still open: one indexed probe, no lock, no counting.
        guard try await !CampaignStore.hasOpenMessages(id, in: transaction) else { return nil }
        guard let campaign = try await CampaignStore.lock(id, in: transaction), campaign.status == .sending else { return nil }
        let counts = try await CampaignStore.counts([id], in: transaction)[id] ?? CampaignCounts()
        let overflow = campaign.recipients - (campaign.quotaGranted ?? campaign.recipients)
        guard let final = counts.finalStatus(quotaOverflow: overflow) else { return nil }
        var failure: (code: String, message: String)?
        if final == .failed {
            failure = overflow == campaign.recipients
                ? (DailyQuota.exceededCode, DailyQuota.exceededMessage)
                : ("send.failed", "None of the campaign's messages was sent; the recipient report gives each one's reason.")
        }
        try await CampaignStore.setStatus(id, final, failure: failure, in: transaction)
        try await outbox.enqueue(Envelope(
            companyID: campaign.companyID, correlationID: id.description,
            data: CampaignFinished(
                campaignID: id, status: final.rawValue, recipients: counts.recipients, sent: counts.sent + counts.delivered + counts.read,
                failed: counts.failed, failureCode: failure?.code, finishedAt: Date())), in: transaction)
        return final
    }

    /// Releases every finished campaign's hold that is still held. Billing's release is idempotent, so a release
    /// whose answer was lost is simply repeated.
    func releaseHolds() async {
        do {
            let pending = try await database.withTransaction { try await CampaignStore.unreleased(limit: 50, in: $0) }
            for (campaign, company, reservation) in pending {
                do {
                    try await billing.release(company: company, reservation: reservation)
                    try await database.withTransaction { try await CampaignStore.markReleased(campaign, in: $0) }
                } catch {
                    logger.warning("credit hold not released yet", metadata: ["campaign": "\(campaign)", "error": "\(error)"])
                }
            }
        } catch {
            logger.warning("could not look for credit holds to release", metadata: ["error": "\(error)"])
        }
    }
}

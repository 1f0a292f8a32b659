import Contracts
import Foundation
import Logging
import ServiceLifecycle
import Storage

/// Runs due campaigns (D-14 … D-16) on any number of replicas, and tidies up after senders: it fails messages
/// whose sender died mid-request, closes the campaigns that leaves done, and releases finished campaigns' holds.
struct CampaignRunner: Service {
    let database: Database
    let outbox: Outbox
    let billing: BillingClient
    let closer: CampaignCloser
    let limits: TierLimits
    let interval: Duration
    let logger: Logger
    /// A message claimed this long ago without an outcome belongs to a sender that died.
    var stuckAfter: TimeInterval = 600

    func run() async throws {
        var sweeps = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                while try await startNext() {}
                sweeps += 1
                if sweeps % 10 == 1 {
                    try await failStuck()
                    await closer.releaseHolds()
                }
            } catch {
                logger.warning("campaign run failed; retrying", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// Claims one due campaign and starts it, all in the claiming transaction: if this replica dies half-way,
    /// nothing is kept and the campaign is due again (the credit hold is asked for with the campaign as reference,
    /// so asking again does not hold twice). Answers whether a campaign was due.
    func startNext(now: Date = Date()) async throws -> Bool {
        try await database.withTransaction { transaction in
            guard let campaign = try await CampaignStore.claimDue(now: now, in: transaction) else { return false }
            try await start(campaign, in: transaction)
            return true
        }
    }

    private func fail(_ campaign: Campaign, code: String, message: String, in transaction: Transaction) async throws {
        try await CampaignStore.setStatus(campaign.id, .failed, failure: (code, message), in: transaction)
        try await outbox.enqueue(Envelope(
            companyID: campaign.companyID, correlationID: campaign.id.description,
            data: CampaignFinished(
                campaignID: campaign.id, status: CampaignStatus.failed.rawValue, recipients: campaign.recipients, sent: 0, failed: 0,
                failureCode: code, finishedAt: Date())), in: transaction)
        logger.notice("campaign failed before sending", metadata: ["campaign": "\(campaign.id)", "code": "\(code)"])
    }

    private func start(_ campaign: Campaign, in transaction: Transaction) async throws {
        guard let template = try await TemplateStore.find(campaign.templateID, in: transaction), template.status == .approved else {
            return try await fail(
                campaign, code: "template.not_approved", message: "The template is no longer approved; only approved templates can be sent (CA-12).",
                in: transaction)
        }
        // CA-39, D-15 stage two: hold the whole estimate, or fail with nothing sent.
        let category = WhatsAppConversationOpened.Category(rawValue: template.category) ?? .marketing
        let reservation: String?
        switch await reserve(campaign, category: category) {
        case .success(let held):
            reservation = held
        case .failure(.insufficient(let code, let message)):
            return try await fail(
                campaign, code: "credit.insufficient", message: "The wallet could not cover the campaign when it was due (\(code)): \(message)",
                in: transaction)
        case .failure(let failure):
            // Billing is unreachable: nothing is kept, the campaign stays due and is tried again.
            throw failure
        }
        // D-16: the quota in one conditional statement; recipients in upload order, the first `granted` are sent.
        let granted = try await NumberStore.takeQuota(campaign.numberID, requested: campaign.recipients, limits: limits, in: transaction)
        let contacts = try await AudienceStore.contacts(campaign.audienceID, limit: campaign.recipients, in: transaction)
        var messages: [MessageStore.NewMessage] = []
        messages.reserveCapacity(contacts.count)
        for contact in contacts {
            let values = campaign.mapping.resolve(for: contact.recipient)
            let within = DailyQuota.isWithinQuota(position: contact.position, granted: granted)
            messages.append(MessageStore.NewMessage(
                id: UUID(), position: contact.position, recipient: contact.phone, name: contact.name,
                payload: .template(body: values.body, header: values.header, button: values.button),
                status: within ? .queued : .failed, errorCode: within ? nil : DailyQuota.exceededCode,
                errorMessage: within ? nil : DailyQuota.exceededMessage))
        }
        try await MessageStore.insert(
            messages, company: campaign.companyID, number: campaign.numberID, campaign: campaign.id, kind: "template", template: template.id,
            trail: nil, in: transaction)
        try await CampaignStore.markStarted(campaign.id, granted: granted, reservation: reservation, in: transaction)
        let jobs = CampaignDispatch.jobs(messages.filter { $0.status == .queued }.map(\.id))
        try await outbox.enqueue(
            try jobs.map { try EncodedEnvelope(Envelope(companyID: campaign.companyID, correlationID: campaign.id.description, data: $0)) },
            in: transaction)
        if jobs.isEmpty {
            _ = try await CampaignCloser.closeIfDone(campaign.id, outbox: outbox, in: transaction)
        }
        logger.info(
            "campaign started",
            metadata: ["campaign": "\(campaign.id)", "recipients": "\(campaign.recipients)", "granted": "\(granted)", "jobs": "\(jobs.count)"])
    }

    private func reserve(_ campaign: Campaign, category: WhatsAppConversationOpened.Category) async -> Result<String?, BillingClient.Failure> {
        do {
            return .success(try await billing.reserve(
                company: campaign.companyID, recipients: campaign.recipients, category: category, reference: "campaign:\(campaign.id)")?.id)
        } catch {
            return .failure(error)
        }
    }

    private func failStuck() async throws {
        let campaigns = try await database.withTransaction { transaction in
            try await MessageStore.failStuck(olderThan: Date().addingTimeInterval(-stuckAfter), in: transaction)
        }
        for campaign in campaigns { try await closer.closeIfDone(campaign) }
    }
}

import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import Storage

/// Runs due campaigns (D-14 … D-16) on any number of replicas, and tidies up after senders: it fails messages
/// whose sender died mid-request, closes the campaigns that leaves done, and releases finished campaigns' holds.
struct CampaignRunner: Service {
    let database: Database
    let outbox: Outbox
    let billing: BillingClient
    let cloud: CloudAPIClient
    let closer: CampaignCloser
    let limits: TierLimits
    let interval: Duration
    let logger: Logger
    /// A message claimed this long ago without an outcome belongs to a sender that died (a live sender renews its
    /// claims every minute).
    var stuckAfter: TimeInterval = 600
    /// A message queued this long ago whose job never came is published again. Long enough for the biggest
    /// campaign at the slowest rate to drain its jobs (100,000 at 80/s is 21 minutes).
    var republishAfter: TimeInterval = 3_600
    /// A template pending this long without the provider's id lost its answer: a submission's request gives up after
    /// 15 seconds, and the rest is room for the database's clock against ours.
    var submissionLostAfter: TimeInterval = 120

    func run() async throws {
        var ticks = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await startDue()
            // The sweeps run whatever happened above: one campaign that cannot start must not stop the tidying.
            if ticks % 5 == 0 { await sweep() }
            ticks += 1
            await Polling.pause(interval)
        }
    }

    /// Starts every due campaign. One that fails to start waits a minute and the others go on: the next due
    /// campaign is the same one again, so stopping at it would hold back every campaign due after it.
    func startDue() async {
        while true {
            do {
                guard try await startNext() else { return }
            } catch let failure as StartFailure {
                logger.warning(
                    "campaign could not start", metadata: ["campaign": "\(failure.campaign.id)", "error": "\(String(reflecting: failure.error))"])
                do {
                    try await database.withTransaction { transaction in try await postpone(failure, now: Date(), in: transaction) }
                } catch {
                    logger.warning("campaign run failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                    return
                }
            } catch {
                logger.warning("campaign run failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                return
            }
        }
    }

    /// A campaign claimed but not started; its transaction was rolled back, except the credit hold Billing granted it
    /// (`reservation`), which the next start finds again by the campaign's reference.
    struct StartFailure: Error {
        let campaign: Campaign
        let reservation: String?
        let error: any Error
    }

    /// How long a campaign that keeps failing to start is tried again, from its first failed start.
    static let startPatience: TimeInterval = 3_600

    /// D-14: tried again a minute later; once its starts have failed for an hour it fails with nothing sent, so its
    /// owner hears of it, it stops asking Billing for its credit hold every minute, and the hold is given back. A
    /// collision with another transaction is no failure of the campaign's and is only tried again.
    private func postpone(_ failure: StartFailure, now: Date, in transaction: Transaction) async throws {
        let campaign = failure.campaign
        // Only while still scheduled: another replica may have started it meanwhile.
        guard let current = try await CampaignStore.find(campaign.id, company: campaign.companyID, forUpdate: true, in: transaction),
            current.status == .scheduled
        else { return }
        let collided = (failure.error as? PSQLError)?.isTransactionConflict == true || failure.error is DatabaseSessionClosed
        let firstFailed = collided ? now : try await CampaignStore.startFailed(campaign.id, at: now, in: transaction)
        guard now.timeIntervalSince(firstFailed) > Self.startPatience else {
            return try await CampaignStore.retryLater(campaign.id, at: now.addingTimeInterval(60), in: transaction)
        }
        if let reservation = failure.reservation { try await CampaignStore.keepReservation(campaign.id, reservation, in: transaction) }
        try await fail(
            current, code: "campaign.start_failed",
            message: "The campaign kept failing to start for an hour; nothing was sent. Create it again to retry.", in: transaction)
    }

    /// Claims one due campaign and starts it, all in the claiming transaction: if this replica dies half-way,
    /// nothing is kept and the campaign is due again (the credit hold is asked for with the campaign as reference,
    /// so asking again does not hold twice). Answers whether a campaign was due.
    func startNext(now: Date = Date()) async throws -> Bool {
        try await database.withTransaction { transaction in
            guard let campaign = try await CampaignStore.claimDue(now: now, in: transaction) else { return false }
            var held: String?
            do {
                try await start(campaign, holding: &held, in: transaction)
            } catch let failure as BillingClient.Failure {
                // Billing is unreachable: nothing was kept; this campaign waits a little, the others go on.
                logger.warning("credit could not be checked; campaign retried later", metadata: ["campaign": "\(campaign.id)", "error": "\(failure)"])
                try await CampaignStore.retryLater(campaign.id, at: now.addingTimeInterval(30), in: transaction)
            } catch {
                throw StartFailure(campaign: campaign, reservation: held, error: error)
            }
            return true
        }
    }

    /// Repairs what a crash or an outage left behind; every step is idempotent and safe on any number of replicas.
    func sweep() async {
        for (name, step) in [
            ("fail stuck sends", failStuck), ("close finished campaigns", closeFinished), ("republish lost send jobs", republish),
            ("apply early statuses", applyEarlyStatuses), ("forget recipients reached before the quota window", pruneReached),
            ("settle lost template submissions", settleLostSubmissions),
        ] as [(String, @Sendable () async throws -> Void)] {
            do { try await step() } catch {
                logger.warning("sweep step failed", metadata: ["step": "\(name)", "error": "\(String(reflecting: error))"])
            }
        }
        await closer.releaseHolds()
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

    /// `held`: the credit hold Billing granted, as soon as it did.
    private func start(_ campaign: Campaign, holding held: inout String?, in transaction: Transaction) async throws {
        guard let template = try await TemplateStore.find(campaign.templateID, in: transaction), template.status.isSendable else {
            return try await fail(
                campaign, code: "template.not_approved", message: "The template is no longer approved; only approved templates can be sent (CA-12).",
                in: transaction)
        }
        // CA-39, D-15 stage two: hold the whole estimate, or fail with nothing sent.
        let category = WhatsAppConversationOpened.Category(rawValue: template.category) ?? .marketing
        let reservation: String?
        switch await reserve(campaign, category: category) {
        case .success(let granted):
            reservation = granted
            held = granted
        case .failure(.insufficient(let code, let message)):
            return try await fail(
                campaign, code: "credit.insufficient", message: "The wallet could not cover the campaign when it was due (\(code)): \(message)",
                in: transaction)
        case .failure(.refused(let code, let message)):
            return try await fail(campaign, code: "credit.check_failed", message: "Billing refused the credit hold (\(code)): \(message)", in: transaction)
        case .failure(let failure):
            // Billing is unreachable: nothing is kept, the campaign is tried again a little later.
            throw failure
        }
        // D-12, D-16: recipients in upload order; those the quota cannot take fail with CA-40's text.
        // CA-01: contacts who opted out are not sent to and take no quota.
        let contacts = try await AudienceStore.contacts(campaign.audienceID, limit: campaign.recipients, in: transaction)
        let optedOut = try await OptOutStore.blocked(
            company: campaign.companyID, contacts: contacts.map(\.phone), category: template.category, in: transaction)
        let reachable = contacts.filter { !optedOut.contains($0.phone.e164) }
        var within = try await NumberStore.takeQuota(campaign.numberID, recipients: reachable.map(\.phone), limits: limits, in: transaction)
            .makeIterator()
        var granted = 0
        var messages: [MessageStore.NewMessage] = []
        messages.reserveCapacity(contacts.count)
        for contact in contacts {
            let values = campaign.mapping.resolve(for: contact.recipient)
            let failure: (code: String, message: String)? =
                optedOut.contains(contact.phone.e164) ? (OptOut.refusalCode, OptOut.refusalMessage)
                : within.next() == true ? nil : (DailyQuota.exceededCode, DailyQuota.exceededMessage)
            // The quota's count: an opted-out contact is a failure of its own, not an overflow (D-14's partially_sent).
            if failure?.code != DailyQuota.exceededCode { granted += 1 }
            messages.append(MessageStore.NewMessage(
                id: UUID.random(), position: contact.position, recipient: contact.phone, name: contact.name,
                payload: .template(body: values.body, header: values.header, button: values.button),
                status: failure == nil ? .queued : .failed, errorCode: failure?.code, errorMessage: failure?.message))
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

    func reserve(_ campaign: Campaign, category: WhatsAppConversationOpened.Category) async -> Result<String?, BillingClient.Failure> {
        do {
            return .success(try await billing.reserve(
                company: campaign.companyID, recipients: campaign.recipients, category: category, reference: CampaignHold.reference(campaign.id))?.id)
        } catch {
            return .failure(error)
        }
    }

    /// Their `failed` status is announced like every other outcome: a single send's requester (a partner's webhook,
    /// AfterCall) would otherwise never hear how it ended.
    private func failStuck() async throws {
        let failed = try await database.withTransaction { transaction in
            let failed = try await MessageStore.failStuck(olderThan: Date().addingTimeInterval(-stuckAfter), in: transaction)
            try await outbox.enqueue(
                try StatusUpdates.failures(failed, code: SendFailure.unknownCode, message: MessageStore.stuckMessage, at: Date()), in: transaction)
            return failed
        }
        for campaign in Set(failed.compactMap(\.campaignID)) { try await closer.closeIfDone(campaign) }
    }

    /// A campaign whose last messages were settled by a sender that then failed to close it.
    private func closeFinished() async throws {
        let campaigns = try await database.withTransaction { try await CampaignStore.sendingWithNothingOpen(limit: 100, in: $0) }
        for campaign in campaigns { try await closer.closeIfDone(campaign) }
    }

    /// Send jobs lost to the dead-letter queue (a database outage longer than the delivery limit) are published
    /// again for messages queued long ago. Claiming is idempotent, so a job that was only slow costs a no-op.
    private func republish() async throws {
        try await database.withTransaction { transaction in
            let stale = try await MessageStore.requeueStale(olderThan: Date().addingTimeInterval(-republishAfter), limit: 5_000, in: transaction)
            let byCompany = Dictionary(grouping: stale, by: \.company)
            for (company, messages) in byCompany {
                try await outbox.enqueue(
                    try CampaignDispatch.jobs(messages.map(\.id)).map { try EncodedEnvelope(Envelope(companyID: company, data: $0)) },
                    in: transaction)
            }
            if !stale.isEmpty { logger.notice("send jobs published again", metadata: ["messages": "\(stale.count)"]) }
        }
    }

    /// D-11: a template whose submission lost its answer (the service stopped in between) is looked up at the
    /// provider: found, it takes the provider's id and verdict; not there, it is a draft again to be submitted anew.
    /// A few per sweep, and none more once the provider does not answer: the sweep must not wait on it for long.
    private func settleLostSubmissions() async throws {
        let lost = try await database.withTransaction { transaction in
            try await TemplateStore.lostSubmissions(olderThan: Date().addingTimeInterval(-submissionLostAfter), limit: 5, in: transaction)
        }
        for template in lost {
            do {
                guard try await settle(template) else { return }
            } catch {
                // One that cannot be settled now (the database, a conflict) must not hold up the others.
                logger.warning("lost template submission not settled", metadata: ["template": "\(template.id)", "error": "\(String(reflecting: error))"])
            }
        }
    }

    /// Answers false when the provider could not be asked.
    private func settle(_ template: TemplateStore.LostSubmission) async throws -> Bool {
        switch await cloud.findTemplate(name: template.name, language: template.language, waba: template.waba) {
        case .found(let found):
            try await database.withTransaction { transaction in
                guard try await TemplateStore.markSubmitted(
                    template.id, submittedAt: template.submittedAt, providerID: found.id, category: found.category?.lowercased(), in: transaction)
                else { return }
                let early = try await TemplateStore.takeEarlyReview(providerID: found.id, in: transaction)
                // The provider's verdict as it stands now, with the reason its webhook brought when it is that verdict;
                // else the webhook's verdict.
                let verdict = StoredTemplate.Status(rawValue: found.status.lowercased()).flatMap { [.draft, .pending].contains($0) ? nil : $0 }
                if let verdict {
                    _ = try await TemplateStore.applyReview(
                        providerID: found.id, status: verdict, category: nil, reason: early?.status == verdict ? early?.reason : nil, in: transaction)
                } else if let early {
                    _ = try await TemplateStore.applyReview(
                        providerID: found.id, status: early.status, category: early.category, reason: early.reason, in: transaction)
                }
            }
            logger.notice("lost template submission found at the provider", metadata: ["template": "\(template.id)", "status": "\(found.status)"])
        case .notFound:
            try await database.withTransaction { try await TemplateStore.backToDraft(template.id, submittedAt: template.submittedAt, in: $0) }
            logger.notice("lost template submission never reached the provider; a draft again", metadata: ["template": "\(template.id)"])
        case .unavailable:
            return false
        }
        return true
    }

    /// D-12: who a number reached more than a day ago no longer counts; an hour more is kept than the window needs,
    /// for clocks that disagree.
    private func pruneReached() async throws {
        let hour = Int64(Date().timeIntervalSince1970 / 3_600)
        try await database.withTransaction { transaction in
            try await NumberStore.pruneReached(before: hour - Int64(DailyQuota.buckets), limit: 10_000, in: transaction)
        }
    }

    /// Status webhooks that raced the sender recording the provider's id, and old ones nobody will claim; the
    /// conversations of those whose message never got its id (its sender died mid-request) are announced without a
    /// campaign once no send can still record it.
    private func applyEarlyStatuses() async throws {
        try await database.withTransaction { transaction in
            let ids = try await MessageStore.earlyWithMessage(limit: 500, in: transaction)
            try await StatusUpdates.applyEarly(ids, outbox: outbox, in: transaction)
            try await MessageStore.dropEarly(olderThan: Date().addingTimeInterval(-7 * 86_400), in: transaction)
            try await Conversations.announceEarly(.receivedBefore(Date().addingTimeInterval(-stuckAfter)), outbox: outbox, in: transaction)
        }
    }
}

import Contracts
import ServiceKit
import Storage

/// Rates a batch of usage events (BI-18: whatever queued up while Billing was down is rated in full when it
/// comes back, because the queue is durable and nothing is acked before its charge committed).
///
/// One transaction per batch: the companies' accounts are locked in order, every event becomes at most one
/// posting, and the ledger's unique source makes a re-delivered or re-published usage event a no-op even when
/// it carries a new event id.
struct UsageRater: Sendable {
    let outbox: Outbox
    let rateCards = RateCardCache()

    func rate<Payload: Event>(
        _ batch: InboxBatch, as payload: Payload.Type, charge: @Sendable (Payload, RateCard) -> UsageCharge?
    ) async throws {
        let (charged, accounts) = try await price(batch, as: payload, charge: charge)
        try await Wallet.append(
            charged.map { Posting.charge($0.1, company: $0.0.companyID) }, accounts: accounts, outbox: outbox, in: batch.transaction)
    }

    /// Each event with its charge (none when free or when the company has no account) and the rate card it was priced
    /// by, and the locked accounts.
    func price<Payload: Event>(
        _ batch: InboxBatch, as payload: Payload.Type, charge: @Sendable (Payload, RateCard) -> UsageCharge?
    ) async throws -> ([(Envelope<Payload>, UsageCharge, RateCard)], [CompanyID: Account]) {
        let envelopes = try batch.decode(Payload.self)
        let transaction = batch.transaction
        let accounts = try await AccountStore.lock(Set(envelopes.map(\.companyID)), in: transaction)
        let cards = try await rateCards.cards(in: transaction)
        let charged = envelopes.compactMap { envelope -> (Envelope<Payload>, UsageCharge, RateCard)? in
            guard let plan = accounts[envelope.companyID]?.plan, let card = cards[plan] else { return nil }
            return charge(envelope.data, card).map { (envelope, $0, card) }
        }
        return (charged, accounts)
    }

    /// D-15: a campaign's conversations are drawn from the campaign's hold as they are charged (same transaction, so
    /// the hold and the balance move together). A conversation rated after its campaign's hold was captured was paid
    /// by the capture, up to what the capture charged beyond the draws: that part is drawn from the captured hold and
    /// not charged again. A conversation charged or drawn before (published again under a new event id) is neither
    /// charged nor drawn again, from this hold or a later one.
    func rateConversations(_ batch: InboxBatch) async throws {
        let transaction = batch.transaction
        let (priced, accounts) = try await price(batch, as: WhatsAppConversationOpened.self, charge: UsageRating.conversation)
        // Once per source, also within the batch (one conversation delivered under two event ids).
        var seen = try await LedgerStore.recordedSources(priced.map { ($0.0.companyID, $0.1.source) }, orIn: .reservationDraws, in: transaction)
        let charged = priced.filter { seen.insert(LedgerStore.SourceKey(companyID: $0.0.companyID, source: $0.1.source)).inserted }
        let references = charged.compactMap { envelope, _, _ in envelope.data.campaignID.map { (envelope.companyID, CampaignHold.reference($0)) } }
        var coverage = try await ReservationStore.capturedCoverage(references, in: transaction)
        var postings: [Posting] = []
        var draws: [ReservationStore.Draw] = []
        for (envelope, charge, _) in charged {
            var due = charge.amount
            if let campaign = envelope.data.campaignID {
                let key = ReservationStore.ReferenceKey(companyID: envelope.companyID, reference: CampaignHold.reference(campaign))
                if let cover = coverage[key], cover.remaining > .zero {
                    let split = HoldCapture.cover(due, remaining: cover.remaining)
                    coverage[key]?.remaining = cover.remaining - split.covered
                    draws.append(
                        ReservationStore.Draw(
                            companyID: envelope.companyID, reference: key.reference, source: charge.source, amount: split.covered, captured: cover.id))
                    due = split.due
                } else {
                    draws.append(ReservationStore.Draw(companyID: envelope.companyID, reference: key.reference, source: charge.source, amount: due))
                }
            }
            if due > .zero {
                var posting = Posting.charge(charge, company: envelope.companyID)
                posting.amount = due
                postings.append(posting)
            }
        }
        try await Wallet.append(postings, accounts: accounts, outbox: outbox, in: transaction)
        try await ReservationStore.draw(draws, in: transaction)
    }

    /// BI-17: promotional SMS are paid from their month's credits first, and the wallet is charged for the segments the
    /// credits do not cover. An SMS charged or paid from credits before (published again under a new event id, or twice
    /// in one batch) spends nothing more.
    func rateNotifications(_ batch: InboxBatch) async throws {
        let transaction = batch.transaction
        let (priced, accounts) = try await price(batch, as: NotificationDelivered.self, charge: UsageRating.notification)
        let promotional = priced.filter { PromoSMSCredits.apply(to: $0.0.data) }
        var seen = try await LedgerStore.recordedSources(promotional.map { ($0.0.companyID, $0.1.source) }, orIn: .promoSMSCredits, in: transaction)
        func month(_ envelope: Envelope<NotificationDelivered>) -> PromoCreditStore.MonthKey {
            PromoCreditStore.MonthKey(companyID: envelope.companyID, month: PromoSMSCredits.month(of: envelope.data.deliveredAt, timeZone: accounts[envelope.companyID]?.timeZone ?? .kolkata).label)
        }
        var used = try await PromoCreditStore.used(Set(promotional.map { month($0.0) }), in: transaction)
        var postings: [Posting] = []
        var uses: [PromoCreditStore.Use] = []
        for (envelope, charge, card) in priced {
            guard PromoSMSCredits.apply(to: envelope.data) else {
                postings.append(Posting.charge(charge, company: envelope.companyID))
                continue
            }
            guard seen.insert(LedgerStore.SourceKey(companyID: envelope.companyID, source: charge.source)).inserted else { continue }
            let key = month(envelope)
            let payment = PromoSMSCredits.pay(
                charge, rate: card.rate(.notification(.sms, .promotional)),
                available: PromoSMSCredits.remaining(allowance: card.promoSMSCredits, used: used[key] ?? 0))
            if payment.credits > 0 {
                used[key, default: 0] += payment.credits
                uses.append(PromoCreditStore.Use(month: key, source: charge.source, credits: payment.credits))
            }
            if let rest = payment.charge { postings.append(Posting.charge(rest, company: envelope.companyID)) }
        }
        try await PromoCreditStore.record(uses, in: transaction)
        try await Wallet.append(postings, accounts: accounts, outbox: outbox, in: transaction)
    }

    var consumers: [ConsumerDefinition] {
        [
            ConsumerDefinition(name: "rate-calls", queue: Subscriptions.callCompleted) { batch in
                try await rate(batch, as: CallCompleted.self, charge: UsageRating.call)
            },
            ConsumerDefinition(name: "rate-notifications", queue: Subscriptions.notificationDelivered) { batch in
                try await rateNotifications(batch)
            },
            ConsumerDefinition(name: "rate-conversations", queue: Subscriptions.conversationOpened) { batch in
                try await rateConversations(batch)
            },
        ]
    }
}

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

    /// Returns each event with the charge it made (none when free or when the company has no account).
    @discardableResult
    func rate<Payload: Event>(
        _ batch: InboxBatch, as payload: Payload.Type, charge: @Sendable (Payload, RateCard) -> UsageCharge?
    ) async throws -> [(Envelope<Payload>, UsageCharge)] {
        let envelopes = try batch.decode(Payload.self)
        let transaction = batch.transaction
        let accounts = try await AccountStore.lock(Set(envelopes.map(\.companyID)), in: transaction)
        let cards = try await rateCards.cards(in: transaction)
        let charged = envelopes.compactMap { envelope -> (Envelope<Payload>, UsageCharge)? in
            guard let plan = accounts[envelope.companyID]?.plan, let card = cards[plan] else { return nil }
            return charge(envelope.data, card).map { (envelope, $0) }
        }
        try await Wallet.append(
            charged.map { Posting.charge($0.1, company: $0.0.companyID) }, accounts: accounts, outbox: outbox, in: transaction)
        return charged
    }

    /// D-15: a campaign's conversations are drawn from the campaign's hold as they are charged (same transaction, so
    /// the hold and the balance move together).
    func rateConversations(_ batch: InboxBatch) async throws {
        let charged = try await rate(batch, as: WhatsAppConversationOpened.self, charge: UsageRating.conversation)
        let draws = charged.compactMap { envelope, charge -> ReservationStore.Draw? in
            guard let campaign = envelope.data.campaignID else { return nil }
            return ReservationStore.Draw(
                companyID: envelope.companyID, reference: CampaignHold.reference(campaign), source: charge.source, amount: charge.amount)
        }
        try await ReservationStore.draw(draws, in: batch.transaction)
    }

    var consumers: [ConsumerDefinition] {
        [
            ConsumerDefinition(name: "rate-calls", queue: Subscriptions.callCompleted) { batch in
                try await rate(batch, as: CallCompleted.self, charge: UsageRating.call)
            },
            ConsumerDefinition(name: "rate-notifications", queue: Subscriptions.notificationDelivered) { batch in
                try await rate(batch, as: NotificationDelivered.self, charge: UsageRating.notification)
            },
            ConsumerDefinition(name: "rate-conversations", queue: Subscriptions.conversationOpened) { batch in
                try await rateConversations(batch)
            },
        ]
    }
}

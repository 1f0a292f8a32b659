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
        let envelopes = try batch.decode(Payload.self)
        let transaction = batch.transaction
        let accounts = try await AccountStore.lock(Set(envelopes.map(\.companyID)), in: transaction)
        let cards = try await rateCards.cards(in: transaction)
        let postings = envelopes.compactMap { envelope -> Posting? in
            guard let plan = accounts[envelope.companyID]?.plan, let card = cards[plan] else { return nil }
            return charge(envelope.data, card).map { Posting.charge($0, company: envelope.companyID) }
        }
        try await Wallet.append(postings, accounts: accounts, outbox: outbox, in: transaction)
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
                try await rate(batch, as: WhatsAppConversationOpened.self, charge: UsageRating.conversation)
            },
        ]
    }
}

import Contracts
import Foundation
import Storage

/// D-18, D-15: each billable conversation the provider reports is announced once (`whatsapp.conversation.opened`,
/// which Billing rates), naming the campaign of the message that opened it so that Billing draws it from that
/// campaign's hold rather than from the wallet beside the hold.
enum Conversations {
    /// A conversation a status reported. When the status outran the sender recording the message's id, the campaign
    /// is not known yet: the conversation is recorded (so it is never announced twice) and its announcement waits for
    /// the id (`announceEarly`).
    static func reported(
        _ conversation: WhatsAppConversationOpened, number: WhatsAppNumber, providerMessageID: String, message: StatusUpdates.Sighting,
        outbox: Outbox, in transaction: Transaction
    ) async throws {
        guard try await WindowStore.recordConversation(
            conversation.conversationID, number: number, recipient: conversation.recipient, category: conversation.category.rawValue,
            at: conversation.openedAt, in: transaction) else { return }
        switch message {
        case .known(let campaign):
            var announced = conversation
            announced.campaignID = campaign
            try await outbox.enqueue(Envelope(companyID: number.companyID, correlationID: campaign?.description, data: announced), in: transaction)
        case .early:
            try await WindowStore.keepEarlyConversation(conversation, company: number.companyID, providerMessageID: providerMessageID, in: transaction)
        }
    }

    /// Announces the waiting conversations selected: those whose message ids were just recorded, or, from the sweep,
    /// those older than any send takes (their message will never have its id: it is announced without a campaign,
    /// since the provider charges for it all the same).
    static func announceEarly(_ selection: WindowStore.EarlySelection, outbox: Outbox, in transaction: Transaction) async throws {
        let taken = try await WindowStore.takeEarlyConversations(selection, in: transaction)
        guard !taken.isEmpty else { return }
        try await outbox.enqueue(
            try taken.map { try EncodedEnvelope(Envelope(companyID: $0.company, correlationID: $0.conversation.campaignID?.description, data: $0.conversation)) },
            in: transaction)
    }
}

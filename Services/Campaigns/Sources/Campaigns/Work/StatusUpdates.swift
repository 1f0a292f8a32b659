import Contracts
import Foundation
import Storage

/// Applies the provider's message statuses (out of order, repeated, or ahead of the sender) and publishes each real
/// change as `whatsapp.message.status`.
enum StatusUpdates {
    static func envelope(
        _ message: ClaimedMessage, providerMessageID: String?, status: WhatsAppMessageStatus.Status, errorCode: String?, errorMessage: String?,
        at: Date
    ) throws -> EncodedEnvelope {
        try EncodedEnvelope(Envelope(
            companyID: message.companyID, correlationID: message.campaignID?.description,
            data: WhatsAppMessageStatus(
                messageID: message.id, providerMessageID: providerMessageID, phoneNumberID: message.phoneNumberID, recipient: message.recipient,
                status: status, campaignID: message.campaignID, trail: message.trail, errorCode: errorCode, errorMessage: errorMessage, at: at)))
    }

    /// `failed` announcements for messages failed here, with no answer of the provider's (an opt-out, a dead sender).
    static func failures(_ messages: [ClaimedMessage], code: String, message: String, at: Date) throws -> [EncodedEnvelope] {
        try messages.map { try envelope($0, providerMessageID: nil, status: .failed, errorCode: code, errorMessage: message, at: at) }
    }

    /// Whether a status found its message.
    enum Sighting: Sendable, Equatable {
        /// The message is recorded; its campaign, if any.
        case known(campaign: CampaignID?)
        /// No message has this provider id yet: the status outran the sender and waits in `early_statuses`.
        case early
    }

    /// One status from a webhook. A status for a message id not recorded yet waits in `early_statuses`.
    /// Answers the campaign of the message whenever the message is known, whether or not the status moved it: the
    /// conversation a `sent` carries is drawn from that campaign's hold (D-15), and the sender has usually recorded
    /// `sent` already from the provider's answer.
    @discardableResult
    static func apply(
        providerID: String, status: MessageStatus, at: Date, errorCode: String?, errorMessage: String?, outbox: Outbox,
        in transaction: Transaction
    ) async throws -> Sighting {
        switch try await MessageStore.applyStatus(
            providerID: providerID, status: status, at: at, errorCode: errorCode, errorMessage: errorMessage, in: transaction)
        {
        case .applied(let change):
            if let published = WhatsAppMessageStatus.Status(rawValue: status.rawValue) {
                try await outbox.enqueue(
                    [try envelope(
                        change.message, providerMessageID: providerID, status: published, errorCode: errorCode, errorMessage: errorMessage, at: at)],
                    in: transaction)
            }
            return .known(campaign: change.message.campaignID)
        case .stale(let campaign):
            return .known(campaign: campaign)
        case .unknown:
            try await MessageStore.keepEarly(providerID, status: status, at: at, errorCode: errorCode, errorMessage: errorMessage, in: transaction)
            return .early
        }
    }

    /// The statuses, and the conversations they carried, that outran the sender, once it has recorded the provider's
    /// ids.
    static func applyEarly(_ providerIDs: [String], outbox: Outbox, in transaction: Transaction) async throws {
        for (id, status, at, code, message) in try await MessageStore.takeEarly(providerIDs, in: transaction) {
            try await apply(providerID: id, status: status, at: at, errorCode: code, errorMessage: message, outbox: outbox, in: transaction)
        }
        try await Conversations.announceEarly(.messages(providerIDs), outbox: outbox, in: transaction)
    }
}

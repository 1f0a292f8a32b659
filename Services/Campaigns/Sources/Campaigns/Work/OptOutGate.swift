import Contracts
import Foundation
import Storage

/// CA-01: a customer's STOP that arrives after their message was queued (a campaign drains for many minutes) still
/// stops it. Claimed template messages to a contact who is now opted out fail instead of going out, with their status
/// announced, in the claim's own transaction.
enum OptOutGate {
    /// The claimed messages that may still go out.
    static func sendable(_ claimed: [ClaimedMessage], outbox: Outbox, in transaction: Transaction) async throws -> [ClaimedMessage] {
        let blocked = try await OptOutStore.blockedMessages(claimed.filter { $0.templateID != nil }.map(\.id), in: transaction)
        guard !blocked.isEmpty else { return claimed }
        let failed = claimed.filter { blocked.contains($0.id) }
        try await MessageStore.record(
            failed.map { SendOutcome(messageID: $0.id, status: .failed, errorCode: OptOut.refusalCode, errorMessage: OptOut.refusalMessage) },
            in: transaction)
        try await outbox.enqueue(
            try StatusUpdates.failures(failed, code: OptOut.refusalCode, message: OptOut.refusalMessage, at: Date()), in: transaction)
        return claimed.filter { !blocked.contains($0.id) }
    }
}

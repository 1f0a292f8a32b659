import Contracts
import Foundation
import Storage

/// BI-36, D-22, D-26: money given back: a credit note (its own gapless series) and the same amount credited to
/// the wallet, once per source.
enum CreditNotes {
    /// Nil when `source` was already credited.
    @discardableResult
    static func issue(
        company: CompanyID, amount: Money, description: String, reason: String, source: String, outbox: Outbox, now: Date = Date(),
        in transaction: Transaction
    ) async throws -> Invoice? {
        guard amount > .zero else { return nil }
        let account = try await AccountStore.lock(company, in: transaction)
        let changes = try await Wallet.append(
            [Posting(
                companyID: company, source: source, kind: "credit_note", debit: "credit_notes", credit: Posting.wallet, amount: amount,
                quantity: nil, description: description, occurredAt: now)],
            accounts: [company: account], outbox: outbox, now: now, in: transaction)
        guard !changes.isEmpty else { return nil }
        return try await InvoiceStore.issue(
            kind: .creditNote, reason: reason, source: source, lines: [.init(description: description, quantity: 1, amount: amount)],
            account: account, outbox: outbox, now: now, in: transaction)
    }
}

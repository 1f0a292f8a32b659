import Contracts
import Foundation
import ServiceKit
import Storage

/// `sla.month.closed` → a credit note refunding the month's share of number rental (SLA-04, D-26, BI-36), credited
/// to the wallet. One credit note per company, month and component (its source), however often the event comes.
struct SLARefunds: Sendable {
    let outbox: Outbox

    var consumer: ConsumerDefinition {
        ConsumerDefinition(name: "sla-refunds", queue: Subscriptions.slaMonthClosed) { (context: InboxContext) in
            try await refund(context)
        }
    }

    func refund(_ context: InboxContext) async throws {
        let envelope = try context.decode(SLAMonthClosed.self)
        let closed = envelope.data
        guard closed.refundPercent > 0, let (start, end) = BillingAPI.month(closed.month) else { return }
        let transaction = context.transaction
        let company = envelope.companyID
        let account = try await AccountStore.lock(company, in: transaction)
        let rental = try await LedgerStore.total(kind: "did_rental", company: company, from: start, to: end, in: transaction)
        let refund = SLARefund.amount(rental: rental, percent: closed.refundPercent)
        guard refund > .zero else { return }
        let source = "credit_note:sla:\(closed.month):\(closed.component)"
        let description = "SLA refund, \(closed.component), \(closed.month): \(closed.refundPercent) % of number rental"
        let now = Date()
        let changes = try await Wallet.append(
            [Posting(
                companyID: company, source: source, kind: "credit_note", debit: "credit_notes", credit: Posting.wallet, amount: refund,
                quantity: nil, description: description, occurredAt: now)],
            accounts: [company: account], outbox: outbox, now: now, in: transaction)
        guard !changes.isEmpty else { return }
        try await InvoiceStore.issue(
            kind: .creditNote, reason: "sla_refund", source: source, lines: [.init(description: description, quantity: 1, amount: refund)],
            account: account, outbox: outbox, now: now, in: transaction)
    }
}

import Contracts
import Foundation
import ServiceKit
import Storage

/// `sla.month.closed` → a credit note refunding the month's share of number rental (SLA-04, D-26, BI-36), credited
/// to the wallet. At most one credit note per company, month and component (its source), however often the event
/// comes, and at most the month's rental in all (`SLARefund.topUp`).
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
        guard closed.refundPercent > 0 else { return }
        let company = envelope.companyID
        // Under the account's lock, so that two components' events of one month top up one after the other.
        let account = try await AccountStore.lock(company, in: context.transaction)
        guard let (start, end) = BillingAPI.month(closed.month, timeZone: account.timeZone) else { return }
        let rental = try await LedgerStore.total(kind: "did_rental", company: company, from: start, to: end, in: context.transaction)
        let refunded = try await LedgerStore.total(sourcePrefix: "credit_note:sla:\(closed.month):", company: company, in: context.transaction)
        try await CreditNotes.issue(
            company: company, amount: SLARefund.topUp(rental: rental, percent: closed.refundPercent, alreadyRefunded: refunded),
            description: "SLA refund, \(closed.component), \(closed.month): \(closed.refundPercent) % of number rental", reason: "sla_refund",
            source: "credit_note:sla:\(closed.month):\(closed.component)", outbox: outbox, in: context.transaction)
    }
}

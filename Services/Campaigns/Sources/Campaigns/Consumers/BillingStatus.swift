import Contracts
import Foundation
import Logging
import ServiceKit
import Storage

/// CA-42, BI-06: when the wallet runs low every scheduled campaign of the company pauses; it runs again only when
/// someone re-confirms it, which repeats the credit check (D-14). Suspension and resumption are also kept as a flag,
/// so a send requested by another service (`whatsapp.send.requested`) fails at once while the account is suspended.
struct BillingStatus: Sendable {
    var consumer: ConsumerDefinition {
        ConsumerDefinition(name: "billing-status", queue: Subscriptions.billing) { (context: InboxContext) in
            try await apply(context)
        }
    }

    func apply(_ context: InboxContext) async throws {
        let header = context.envelope.header
        let transaction = context.transaction
        switch header.type {
        case .billingBalanceLow, .billingBalanceMinimum:
            let paused = try await CampaignStore.pauseScheduled(company: header.companyID, in: transaction)
            if paused > 0 { context.logger.notice("scheduled campaigns paused on low balance", metadata: ["count": "\(paused)"]) }
        case .billingAccountSuspended:
            let event = try context.decode(AccountSuspended.self)
            _ = try await CompanyStore.setBlocked(true, company: header.companyID, at: event.data.suspendedAt, in: transaction)
            _ = try await CampaignStore.pauseScheduled(company: header.companyID, in: transaction)
        case .billingAccountResumed:
            let event = try context.decode(AccountResumed.self)
            _ = try await CompanyStore.setBlocked(false, company: header.companyID, at: event.data.resumedAt, in: transaction)
        default:
            return
        }
    }
}

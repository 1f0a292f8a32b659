import Contracts
import Foundation
import ServiceKit
import Storage

/// D-09: `billing.account.suspended` / `resumed` kept as a flag per company, so the call path never asks Billing.
/// Events carry when they happened; an older one arriving late never overrides a newer one.
struct BillingStatus: Sendable {
    var consumer: ConsumerDefinition {
        ConsumerDefinition(name: "billing-status", queue: Subscriptions.billingAccount) { (context: InboxContext) in
            try await apply(context)
        }
    }

    func apply(_ context: InboxContext) async throws {
        let header = context.envelope.header
        switch header.type {
        case .billingAccountSuspended:
            let event = try context.decode(AccountSuspended.self)
            try await CompanyStore.setSuspended(event.companyID, true, at: event.data.suspendedAt, in: context.transaction)
        case .billingAccountResumed:
            let event = try context.decode(AccountResumed.self)
            try await CompanyStore.setSuspended(event.companyID, false, at: event.data.resumedAt, in: context.transaction)
        default:
            return
        }
    }
}

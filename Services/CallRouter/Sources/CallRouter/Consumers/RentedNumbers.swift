import Contracts
import Foundation
import ServiceKit
import Storage

/// BI-19: Billing's `billing.did.activated` / `released` kept as the numbers each company rents, so registering a
/// number (`POST /v1/dids`) can refuse one the company does not rent without asking Billing. A released number also
/// stops routing at once: its registration in this company is removed; a sold one stops routing anyone else's calls.
struct RentedNumbers: Sendable {
    var consumer: ConsumerDefinition {
        ConsumerDefinition(name: "rented-numbers", queue: Subscriptions.billingNumbers) { (context: InboxContext) in
            try await apply(context)
        }
    }

    func apply(_ context: InboxContext) async throws {
        switch context.envelope.header.type {
        case .billingNumberActivated:
            let event = try context.decode(NumberActivated.self)
            try await NumberStore.setRented(event.data.number, company: event.companyID, active: true, at: event.data.activatedAt, in: context.transaction)
            if try await NumberStore.isRented(event.data.number, by: event.companyID, in: context.transaction) {
                try await NumberStore.deleteOthers(event.data.number, keeping: event.companyID, in: context.transaction)
            }
        case .billingNumberReleased:
            let event = try context.decode(NumberReleased.self)
            try await NumberStore.setRented(event.data.number, company: event.companyID, active: false, at: event.data.releasedAt, in: context.transaction)
            // Only a release that took effect: a stale one (older than a later rental) leaves the number routing.
            if try await !NumberStore.isRented(event.data.number, by: event.companyID, in: context.transaction) {
                try await NumberStore.delete(event.data.number, company: event.companyID, in: context.transaction)
            }
        default:
            return
        }
    }
}

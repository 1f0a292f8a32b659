import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Storage

/// BI-19, D-22: at the start of each account's monthly cycle, every active number's rental for the new cycle is charged
/// to the wallet (a queued downgrade waits for the end of the paid plan year: `RenewalJob`). Due accounts are claimed with
/// `FOR UPDATE SKIP LOCKED`, so any number of replicas share the work; the rental's ledger source names the
/// cycle, so a cycle is never charged twice.
struct CycleJob: AccountJob {
    let database: Database
    let outbox: Outbox
    let interval: Duration
    let logger: Logger

    var batch: Int { 20 }
    var failure: String { "billing cycle run failed" }

    /// Starts the new cycle of up to `limit` due accounts in one transaction; returns how many.
    func runDue(now: Date, limit: Int) async throws -> Int {
        try await database.withTransaction { transaction in
            let due = try await AccountStore.claimDue(.nextCycle, now: now, limit: limit, in: transaction)
            guard !due.isEmpty else { return 0 }
            let cards = try await RateCardStore.load(in: transaction)
            for var account in due {
                guard let startsAt = account.nextCycleAt else { continue }
                let cycle = BillingCycle.containing(startsAt, billingDay: account.billingDay, timeZone: account.timeZone)
                let rental = cards[account.plan]?.rate(.didRental) ?? .zero
                let numbers = try await DIDStore.active(company: account.companyID, boughtBefore: cycle.end, in: transaction)
                let postings = rental > .zero ? numbers.map { number in
                    Posting(
                        companyID: account.companyID, source: Posting.rentalSource(number: number, cycle: cycle), kind: "did_rental", debit: Posting.wallet,
                        credit: "revenue:did_rental", amount: rental, quantity: nil,
                        description: "Number rental \(number), cycle from \(cycle.label)", occurredAt: startsAt)
                } : []
                account.nextCycleAt = cycle.end
                try await AccountStore.save(account, in: transaction)
                try await Wallet.append(postings, accounts: [account.companyID: account], outbox: outbox, now: now, in: transaction)
            }
            return due.count
        }
    }
}

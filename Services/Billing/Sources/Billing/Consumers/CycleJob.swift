import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import Storage

/// BI-19, BI-21, D-22: at the start of each account's monthly cycle, a queued downgrade takes effect and every
/// active number's rental for the new cycle is charged to the wallet. Due accounts are claimed with
/// `FOR UPDATE SKIP LOCKED`, so any number of replicas share the work; the rental's ledger source names the
/// cycle, so a cycle is never charged twice.
final class CycleJob: Service {
    let database: Database
    let outbox: Outbox
    let interval: Duration
    let logger: Logger

    init(database: Database, outbox: Outbox, interval: Duration, logger: Logger) {
        self.database = database
        self.outbox = outbox
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        await Polling.run(every: interval, logger: logger, failure: "billing cycle run failed") {
            while try await runDue(now: Date()) > 0 {}
        }
    }

    /// Starts the new cycle of up to `limit` due accounts in one transaction; returns how many.
    func runDue(now: Date, limit: Int = 20) async throws -> Int {
        try await database.withTransaction { transaction in
            let schema = transaction.schema.rawValue
            let rows = try await transaction.query(
                """
                SELECT \(unescaped: AccountStore.columns) FROM \(unescaped: schema).accounts
                WHERE next_cycle_at <= \(now) ORDER BY next_cycle_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """)
            var due: [Account] = []
            for try await row in rows { due.append(try AccountStore.decode(row)) }
            guard !due.isEmpty else { return 0 }
            let cards = try await RateCardStore.load(in: transaction)
            for var account in due {
                guard let startsAt = account.nextCycleAt else { continue }
                let cycle = BillingCycle.containing(startsAt, billingDay: account.billingDay)
                if let pending = account.pendingPlan {
                    // BI-21: the downgrade starts a new plan year with the cycle.
                    account.plan = pending
                    account.pendingPlan = nil
                    account.planStartedAt = startsAt
                }
                let rental = cards[account.plan]?.rate(.didRental) ?? .zero
                let numbers = try await DIDStore.active(company: account.companyID, in: transaction)
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

import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Storage

/// BI-20, BI-21, BI-22, NO-06: sends each account's renewal reminders (30, 15, 7 and 1 days before its paid plan year
/// ends), switches a queued downgrade in at the end of the year, and lapses a plan not renewed by then, which suspends
/// the company's services. Due accounts are claimed with
/// `FOR UPDATE SKIP LOCKED`, so any number of replicas share the work; the reminder sent is recorded in the same
/// transaction as its event, so none goes out twice.
struct RenewalJob: AccountJob {
    let database: Database
    let outbox: Outbox
    let interval: Duration
    let logger: Logger

    var batch: Int { 50 }
    var failure: String { "plan renewal run failed" }

    /// Takes the next renewal step of up to `limit` due accounts in one transaction; returns how many.
    func runDue(now: Date, limit: Int) async throws -> Int {
        try await database.withTransaction { transaction in
            let due = try await AccountStore.claimDue(.renewalStep, now: now, limit: limit, in: transaction)
            guard !due.isEmpty else { return 0 }
            let prices = try await RateCardStore.annualPrices(in: transaction)
            var events: [EncodedEnvelope] = []
            for var account in due {
                account.applyPlanChange(due: now)
                let plan = account.renewalPlan
                let price = prices[plan] ?? .zero
                switch PlanRenewal.step(paidUntil: account.planPaidUntil, reminded: account.renewalReminded, now: now) {
                case .wait(let next):
                    account.renewalStepAt = account.nextRenewalStep(after: next)
                case .remind where price <= .zero, .lapse where price <= .zero:
                    // A plan the rate card gives no price cannot be renewed: it neither asks for ₹0 nor stops the
                    // services for want of a payment nobody can make. The operator is told, every day until fixed.
                    logger.error(
                        "plan has no annual price: no renewal reminder, no lapse", metadata: ["company_id": "\(account.companyID)", "plan": "\(plan.rawValue)"])
                    account.renewalStepAt = now.addingTimeInterval(86_400)
                case .remind(let days, let next):
                    let payable = PaymentRules.payable(amount: price)
                    events.append(try EncodedEnvelope(Envelope(
                        companyID: account.companyID, occurredAt: now,
                        data: PlanExpiring(
                            plan: plan.rawValue, expiresAt: account.planPaidUntil, reminder: days,
                            daysLeft: PlanRenewal.daysLeft(until: account.planPaidUntil, now: now), amount: price, gst: payable.gst,
                            total: payable.total))))
                    account.renewalReminded = days
                    account.renewalStepAt = account.nextRenewalStep(after: next)
                case .lapse:
                    if account.planLapsedAt == nil {
                        account.planLapsedAt = now
                        // Suspended for its balance already: the services are paused, nothing new to say.
                        if account.status == .active {
                            events.append(try EncodedEnvelope(Envelope(
                                companyID: account.companyID, occurredAt: now,
                                data: AccountSuspended(
                                    balance: account.balance, creditLimit: account.thresholds.creditLimit, suspendedAt: now, reason: .planExpired))))
                        }
                        logger.info("plan lapsed unpaid", metadata: ["company_id": "\(account.companyID)", "paid_until": "\(account.planPaidUntil)"])
                    }
                    // Nothing more happens until a renewal is paid, which sets the next step.
                    account.renewalStepAt = .distantFuture
                }
                try await AccountStore.save(account, in: transaction)
            }
            try await outbox.enqueue(events, in: transaction)
            return due.count
        }
    }
}

import Contracts
import Foundation

/// A company's billing account as stored, with its cached balance.
struct Account: Sendable {
    var companyID: CompanyID
    var plan: Plan
    var pendingPlan: Plan?
    var billingDay: Int
    var status: AccountStatus
    var balance: Money
    var thresholds: BalanceThresholds
    var minimumTopUp: Money
    var autoRecharge: Bool
    var billingName: String?
    var billingEmail: String?
    var gstin: String?
    var createdAt: Date
    var suspendedAt: Date?
    var planStartedAt: Date
    var nextCycleAt: Date?

    var settings: BillingSettings {
        BillingSettings(
            lowBalance: thresholds.lowBalance, minimumBalance: thresholds.minimumBalance, minimumTopUp: minimumTopUp,
            autoRecharge: autoRecharge)
    }
}

import Contracts
import Crypto
import Foundation
import Hummingbird
import ServiceKit
import Storage

/// `/v1/billing/...`: the wallet, its settings, payments, reservations and invoices of the caller's company.
struct BillingAPI: Sendable {
    let database: Database
    let outbox: Outbox
    /// Where the payment provider's checkout pages live (the sandbox in development).
    let checkoutBase: String
    /// Verifies the payment provider's webhook signatures.
    let webhookKey: SymmetricKey

    /// BI-30, D-27: owners, admins and billing users run the wallet; everyone else gets "Access Denied".
    static let walletRoles: Set<Role> = [.owner, .admin, .billing]
    /// D-15: whoever may schedule a campaign may ask for a quote and hold credit for it.
    static let campaignRoles: Set<Role> = [.owner, .admin, .manager, .billing]

    func register(_ v1: RouterGroup<AppRequestContext>) {
        let billing = v1.group("billing")
        billing.get("account", use: account)
        billing.patch("settings", use: updateSettings)
        billing.patch("business", use: updateBusiness)
        billing.post("refresh", use: refresh)
        billing.get("ledger", use: ledger)
        billing.get("rates", use: rates)
        billing.post("payments", use: createPayment)
        billing.get("payments", use: payments)
        billing.get("payments/:id", use: payment)
        billing.post("quote", use: quote)
        billing.post("reservations", use: reserve)
        billing.get("reservations/:id", use: reservation)
        billing.post("reservations/:id/capture", use: capture)
        billing.post("reservations/:id/release", use: release)
        billing.get("invoices", use: invoices)
        billing.get("invoices/:id", use: invoice)
        billing.get("invoices/:id/document", use: invoiceDocument)
        billing.post("dids", use: buyNumber)
        billing.get("dids", use: numbers)
        billing.delete("dids/:number", use: releaseNumber)
        billing.post("plan", use: changePlan)
        billing.post("plan/renewal", use: renewPlan)
        billing.get("statement", use: statement)
    }

    func registerPublic(_ router: Router<AppRequestContext>) {
        router.post("v1/billing/payments/webhook", use: paymentWebhook)
        DocumentRoute.serve(router, path: "openapi.json", file: Bundle.module.url(forResource: "openapi", withExtension: "json"))
    }

    // MARK: Account

    @Sendable func account(_ request: Request, context: AppRequestContext) async throws -> AccountView {
        let company = try context.require("billing.read", roles: Self.walletRoles).companyID
        return try await database.withTransaction { transaction in
            let account = try await AccountStore.read(company, in: transaction)
            return try await AccountView.current(account, in: transaction)
        }
    }

    /// BI-02, BI-04, BI-31: edit the alert threshold, minimum balance, minimum top-up and auto-recharge.
    @Sendable func updateSettings(_ request: Request, context: AppRequestContext) async throws -> AccountView {
        let company = try context.require("billing.manage", roles: Self.walletRoles).companyID
        let update = try await request.decode(as: SettingsUpdate.self, context: context)
        if update.creditLimit != nil {
            throw APIError.unprocessable(
                "billing.credit_limit.read_only", "The credit limit is set by MyOperator and cannot be changed from here.", field: "credit_limit")
        }
        return try await database.withTransaction { transaction in
            var account = try await AccountStore.lock(company, in: transaction)
            let before = account
            var settings = account.settings
            settings.lowBalance = update.lowBalance ?? settings.lowBalance
            settings.minimumBalance = update.minimumBalance ?? settings.minimumBalance
            settings.minimumTopUp = update.minimumTopUp ?? settings.minimumTopUp
            settings.autoRecharge = update.autoRecharge ?? settings.autoRecharge
            if let violation = settings.violations(creditLimit: account.thresholds.creditLimit).first {
                throw APIError.unprocessable(violation.code, violation.message, field: violation.field)
            }
            account.thresholds.lowBalance = settings.lowBalance
            account.thresholds.minimumBalance = settings.minimumBalance
            account.minimumTopUp = settings.minimumTopUp
            account.autoRecharge = settings.autoRecharge
            try await AccountStore.save(account, in: transaction)
            // Only a change that puts the balance below an alert with auto-recharge on: editing anything else must not
            // ask the mandate again after a recharge was given up.
            if account.thresholds.startsAutoRecharge(balance: account.balance, autoRecharge: account.autoRecharge),
                !before.thresholds.startsAutoRecharge(balance: before.balance, autoRecharge: before.autoRecharge)
            {
                try await PaymentStore.startAutoRecharge(account, now: Date(), in: transaction)
            }
            return try await AccountView.current(account, in: transaction)
        }
    }

    /// BI-28, BI-29, BI-30: billing name, e-mail and GSTIN. Once a GSTIN is on file the name is locked to it.
    @Sendable func updateBusiness(_ request: Request, context: AppRequestContext) async throws -> AccountView {
        let company = try context.require("billing.manage", roles: Self.walletRoles).companyID
        let update = try await request.decode(as: BusinessUpdate.self, context: context)
        if let violation = BusinessDetails.violation(name: update.billingName, email: update.billingEmail, gstin: update.gstin) {
            throw APIError.unprocessable(violation.code, violation.message, field: violation.field)
        }
        return try await database.withTransaction { transaction in
            var account = try await AccountStore.lock(company, in: transaction)
            if let locked = BusinessDetails.lockViolation(gstinOnFile: account.gstin, nameOnFile: account.billingName, name: update.billingName, gstin: update.gstin) {
                throw APIError.conflict(locked.code, locked.message, field: locked.field)
            }
            account.billingName = update.billingName ?? account.billingName
            account.billingEmail = update.billingEmail ?? account.billingEmail
            account.gstin = update.gstin ?? account.gstin
            try await AccountStore.save(account, in: transaction)
            return try await AccountView.current(account, in: transaction)
        }
    }

    /// BI-03, D-19: "Refresh Balance" resumes a suspended account once the balance is back at the minimum balance.
    @Sendable func refresh(_ request: Request, context: AppRequestContext) async throws -> AccountView {
        let company = try context.require("billing.manage", roles: Self.walletRoles).companyID
        let now = Date()
        return try await database.withTransaction { transaction in
            var account = try await AccountStore.lock(company, in: transaction)
            if account.status == .suspended {
                guard account.thresholds.allowsResume(balance: account.balance) else {
                    throw APIError.paymentRequired("billing.balance_insufficient", "Your balance of \(account.balance) is below the minimum balance of \(account.thresholds.minimumBalance). Pay the dues, then refresh again.")
                }
                account.status = .active
                account.suspendedAt = nil
                try await AccountStore.save(account, in: transaction)
                // BI-22: a lapsed plan keeps the services stopped until it is renewed.
                if account.planLapsedAt == nil {
                    try await outbox.enqueue(
                        Envelope(companyID: company, occurredAt: now, data: AccountResumed(balance: account.balance, resumedAt: now)), in: transaction)
                }
            }
            return try await AccountView.current(account, in: transaction)
        }
    }

    /// BI-41: the caller's plan and its prices.
    @Sendable func rates(_ request: Request, context: AppRequestContext) async throws -> RateCardView {
        let company = try context.require("billing.read", roles: Self.campaignRoles).companyID
        return try await database.withTransaction { transaction in
            let account = try await AccountStore.read(company, in: transaction)
            guard let card = try await RateCardStore.load(in: transaction)[account.plan] else { throw APIError.notFound("rate_card") }
            return RateCardView(
                plan: card.plan, pulseSeconds: card.pulse.rawValue,
                rates: Dictionary(uniqueKeysWithValues: card.rates.map { ($0.key.rawValue, $0.value) }))
        }
    }

    // MARK: Ledger

    @Sendable func ledger(_ request: Request, context: AppRequestContext) async throws -> Page<LedgerEntryView> {
        let company = try context.require("billing.read", roles: Self.walletRoles).companyID
        let filter = try LedgerFilter(query: request.uri.queryParameters)
        let entries = try await LedgerStore.entries(company: company, filter: filter, in: database)
        let next = entries.count == filter.limit ? entries.last.map { String($0.id) } : nil
        return Page(items: entries, next: next)
    }
}

extension AccountView {
    /// `account` as it stands in `transaction`: with what is held (D-15) and this month's promotional SMS credits (BI-17).
    static func current(_ account: Account, now: Date = Date(), in transaction: Transaction) async throws -> AccountView {
        let month = PromoSMSCredits.month(of: now, timeZone: account.timeZone)
        let credits = try await PromoCreditStore.allowance(
            PromoCreditStore.MonthKey(companyID: account.companyID, month: month.label), plan: account.plan, in: transaction)
        return AccountView(
            account, reserved: try await AccountStore.reserved(account.companyID, in: transaction),
            promoSMSCredits: PromoSMSCreditsView(month: month, allowance: credits.allowance, used: credits.used))
    }
}

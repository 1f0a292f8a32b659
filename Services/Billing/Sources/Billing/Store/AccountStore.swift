import Contracts
import Foundation
import PostgresNIO
import Storage

/// Accounts: created on first use with the defaults of D-19, read, locked and edited.
enum AccountStore {
    static let columns = """
        company_id, plan, pending_plan, billing_day, status, balance, low_balance, minimum_balance, credit_limit,
        minimum_topup, auto_recharge, billing_name, billing_email, gstin, created_at, suspended_at, plan_started_at, next_cycle_at,
        plan_paid_until, plan_lapsed_at, renewal_reminded, renewal_step_at, pending_plan_from, time_zone, time_zone_at
        """

    /// Every company has an account from its first usage or request on. BI-27: the billing day is the day of
    /// creation in the company's time zone (D-29), 29–31 becoming 28 so that every month has it. The zone is India's
    /// until CallRouter says otherwise (`CompanyTimeZones`), or CallRouter's zone when its message creates the account.
    static func ensure(
        _ companies: [CompanyID], timeZone: (zone: TimeZone, changedAt: Date)? = nil, in transaction: Transaction
    ) async throws {
        guard !companies.isEmpty else { return }
        let schema = transaction.schema.rawValue
        let ids = companies.map(\.uuid)
        let now = Date()
        let zone = timeZone?.zone ?? .kolkata
        let day = min(Calendar.gregorian(in: zone).component(.day, from: now), 28)
        let cycle = (day: day, next: BillingCycle.containing(now, billingDay: day, timeZone: zone).end)
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).accounts (company_id, plan, billing_day, next_cycle_at, time_zone, time_zone_at)
            SELECT id, 'compact', \(cycle.day), \(cycle.next), \(zone.identifier), \(timeZone?.changedAt)
            FROM unnest(\(ids)::uuid[]) AS ids(id)
            ON CONFLICT (company_id) DO NOTHING
            """)
    }

    /// D-29: the company's time zone as `account` now holds it, with the cycle boundary it moved. Apart from `save`:
    /// only `CompanyTimeZones` changes the zone, and every other edit leaves it as it is.
    static func saveTimeZone(_ account: Account, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).accounts SET
                time_zone = \(account.timeZone.identifier), time_zone_at = \(account.timeZoneChangedAt), next_cycle_at = \(account.nextCycleAt)
            WHERE company_id = \(account.companyID.uuid)
            """)
    }

    /// Locks the companies' accounts in company order (so two transactions locking overlapping sets cannot
    /// deadlock) until the transaction ends, creating the ones that do not exist yet first.
    static func lock(_ companies: Set<CompanyID>, in transaction: Transaction) async throws -> [CompanyID: Account] {
        let sorted = companies.sorted()
        var accounts = try await select(sorted, in: transaction)
        if accounts.count < sorted.count {
            // Rare: a company's first usage. Two such first usages racing can lock out of order and deadlock;
            // PostgreSQL then aborts one transaction and the inbox retries its events, so nothing is lost or doubled.
            try await ensure(sorted.filter { accounts[$0] == nil }, in: transaction)
            accounts = try await select(sorted, in: transaction)
        }
        return accounts
    }

    /// The account as it is now, without a row lock: for answers that change nothing (GET /account, quotes), so
    /// they never wait behind a rating batch.
    static func read(_ company: CompanyID, in transaction: Transaction) async throws -> Account {
        if let account = try await select([company], lock: false, in: transaction)[company] { return account }
        return try await lock(company, in: transaction)
    }

    private static func select(_ sorted: [CompanyID], lock: Bool = true, in transaction: Transaction) async throws -> [CompanyID: Account] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).accounts
            WHERE company_id = ANY(\(sorted.map(\.uuid))::uuid[]) ORDER BY company_id \(unescaped: lock ? "FOR UPDATE" : "")
            """)
        var accounts: [CompanyID: Account] = [:]
        for try await row in rows {
            let account = try decode(row)
            accounts[account.companyID] = account
        }
        return accounts
    }

    static func lock(_ company: CompanyID, in transaction: Transaction) async throws -> Account {
        guard let account = try await lock([company], in: transaction)[company] else {
            throw BillingError.accountMissing(company)
        }
        return account
    }

    static func save(_ account: Account, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).accounts SET
                plan = \(account.plan.rawValue), pending_plan = \(account.pendingPlan?.rawValue), status = \(account.status.rawValue),
                low_balance = \(account.thresholds.lowBalance.paise), minimum_balance = \(account.thresholds.minimumBalance.paise),
                minimum_topup = \(account.minimumTopUp.paise), auto_recharge = \(account.autoRecharge),
                billing_name = \(account.billingName), billing_email = \(account.billingEmail), gstin = \(account.gstin),
                suspended_at = \(account.suspendedAt), next_cycle_at = \(account.nextCycleAt),
                plan_started_at = \(account.planStartedAt), plan_paid_until = \(account.planPaidUntil),
                plan_lapsed_at = \(account.planLapsedAt), renewal_reminded = \(account.renewalReminded),
                renewal_step_at = \(account.renewalStepAt), pending_plan_from = \(account.pendingPlanFrom)
            WHERE company_id = \(account.companyID.uuid)
            """)
    }

    /// Money held by reservations that are neither settled nor expired (D-15).
    static func reserved(_ company: CompanyID, in transaction: Transaction) async throws -> Money {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT COALESCE(sum(greatest(0, amount - drawn)), 0)::bigint FROM \(unescaped: schema).reservations
            WHERE company_id = \(company.uuid) AND status = 'held' AND expires_at > now()
            """)
        for try await total in rows.decode(Int64.self) { return Money(paise: total) }
        return .zero
    }

    static func decode(_ row: PostgresRow) throws -> Account {
        let (id, plan, pending, day, status, balance, low, minimum, limit, topUp, auto, name, email, gstin, created, suspended, planStarted, nextCycle) =
            try row.decode(
                (UUID, String, String?, Int, String, Int64, Int64, Int64, Int64, Int64, Bool, String?, String?, String?, Date, Date?, Date, Date?).self)
        let columns = row.makeRandomAccess()
        return Account(
            companyID: CompanyID(id), plan: Plan(rawValue: plan) ?? .compact, pendingPlan: pending.flatMap(Plan.init(rawValue:)),
            billingDay: day, status: AccountStatus(rawValue: status) ?? .active, balance: Money(paise: balance),
            thresholds: BalanceThresholds(lowBalance: Money(paise: low), minimumBalance: Money(paise: minimum), creditLimit: Money(paise: limit)),
            minimumTopUp: Money(paise: topUp), autoRecharge: auto, billingName: name, billingEmail: email, gstin: gstin,
            createdAt: created, suspendedAt: suspended, planStartedAt: planStarted, nextCycleAt: nextCycle,
            planPaidUntil: try columns["plan_paid_until"].decode(Date.self), planLapsedAt: try columns["plan_lapsed_at"].decode(Date?.self),
            renewalReminded: try columns["renewal_reminded"].decode(Int?.self), renewalStepAt: try columns["renewal_step_at"].decode(Date.self),
            pendingPlanFrom: try columns["pending_plan_from"].decode(Date?.self),
            timeZone: TimeZone(identifier: try columns["time_zone"].decode(String.self)) ?? .kolkata,
            timeZoneChangedAt: try columns["time_zone_at"].decode(Date?.self))
    }
}

enum BillingError: Error {
    case accountMissing(CompanyID)
}


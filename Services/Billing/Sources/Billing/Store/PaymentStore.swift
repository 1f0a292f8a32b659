import Contracts
import Foundation
import PostgresNIO
import Storage

struct Payment: Sendable {
    var id: PaymentID
    var purpose: PaymentPurpose = .recharge
    /// The number bought or the plan upgraded to.
    var subject: String?
    /// The invoice lines, fixed when the payment was created.
    var lines: [InvoiceDocument.Line] = []
    /// D-19: started by the platform (auto-recharge), not by a person.
    var automatic = false
    var companyID: CompanyID
    var amount: Money
    var gst: Money
    var method: PaymentMethod
    var status: PaymentStatus
    var offlineCode: String?
    var providerReference: String?
    var failureReason: String?
    var createdAt: Date
    var completedAt: Date?
    /// D-19: the gateway accepted the mandate charge (an automatic payment); the customer may have been charged.
    var acceptedAt: Date?
    /// What the provider reported capturing, when it differed from the total (`PaymentStatus.review`).
    var capturedAmount: Money?
    /// BI-21: a plan upgrade's plan and plan year when it was priced.
    var upgradeBasis: UpgradeBasis?
    /// BI-20: the end of the paid plan year an upgrade or a renewal was priced against.
    var pricedUntil: Date?
    /// BI-19, D-29: the cycle a number purchase's rental line paid for (its label), fixed when it was priced: the
    /// company's clock may change before the payment settles.
    var rentalCycle: String?

    /// BI-20: what a renewal was priced for: the plan it renews into (its subject) and the paid year it extends.
    var renewalBasis: RenewalBasis? {
        guard purpose == .planRenewal, let plan = subject.flatMap(Plan.init(rawValue:)), let pricedUntil else { return nil }
        return RenewalBasis(plan: plan, paidUntil: pricedUntil)
    }

    var total: Money { amount + gst }
}

enum PaymentStore {
    static let columns = """
        id, company_id, amount, gst, method, status, offline_code, provider_reference, failure_reason, created_at, completed_at,
        purpose, subject, lines::text, automatic, accepted_at, captured_amount, upgrade_from, upgrade_year_start, priced_until, rental_cycle
        """

    /// False when the company already used this offline code (BI-33: a bank reference applies once).
    static func insert(_ payment: Payment, in transaction: Transaction) async throws -> Bool {
        let schema = transaction.schema.rawValue
        let linesJSON = String(decoding: try JSONCoding.encoder().encode(payment.lines), as: UTF8.self)
        let rows = try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).payments
                (id, company_id, amount, gst, method, status, offline_code, created_at, purpose, subject, lines, upgrade_from, upgrade_year_start, priced_until,
                 rental_cycle)
            VALUES (\(payment.id.uuid), \(payment.companyID.uuid), \(payment.amount.paise), \(payment.gst.paise),
                    \(payment.method.rawValue), 'pending', \(payment.offlineCode), \(payment.createdAt), \(payment.purpose.rawValue),
                    \(payment.subject), \(linesJSON)::jsonb, \(payment.upgradeBasis?.plan.rawValue), \(payment.upgradeBasis?.yearStart), \(payment.pricedUntil),
                    \(payment.rentalCycle))
            ON CONFLICT (company_id, offline_code) DO NOTHING
            RETURNING id
            """)
        for try await _ in rows { return true }
        return false
    }

    static func find(_ id: PaymentID, company: CompanyID?, forUpdate: Bool, in transaction: Transaction) async throws -> Payment? {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).payments
            WHERE id = \(id.uuid) AND (\(company?.uuid)::uuid IS NULL OR company_id = \(company?.uuid))
            \(unescaped: forUpdate ? "FOR UPDATE" : "")
            """)
        for try await row in rows { return try decode(row) }
        return nil
    }

    static func list(company: CompanyID, limit: Int, in database: Database) async throws -> [Payment] {
        let schema = database.schema.rawValue
        let rows = try await database.query(
            """
            SELECT \(unescaped: columns) FROM \(unescaped: schema).payments
            WHERE company_id = \(company.uuid) ORDER BY created_at DESC, id LIMIT \(limit)
            """)
        var payments: [Payment] = []
        for try await row in rows { payments.append(try decode(row)) }
        return payments
    }

    /// D-19: the balance fell below the alert with auto-recharge on: a recharge of the minimum top-up, to be
    /// charged to the saved mandate by `AutoRecharger`. Nothing if one is already waiting.
    static func startAutoRecharge(_ account: Account, now: Date, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        let amount = account.minimumTopUp
        let lines = [InvoiceDocument.Line(description: "Prepaid wallet auto-recharge", quantity: 1, amount: amount)]
        let linesJSON = String(decoding: try JSONCoding.encoder().encode(lines), as: UTF8.self)
        try await transaction.query(
            """
            INSERT INTO \(unescaped: schema).payments
                (id, company_id, amount, gst, method, status, created_at, purpose, lines, automatic)
            VALUES (\(UUID.random()), \(account.companyID.uuid), \(amount.paise), \(PaymentRules.payable(amount: amount).gst.paise), 'online',
                    'pending', \(now), 'recharge', \(linesJSON)::jsonb, true)
            ON CONFLICT (company_id) WHERE automatic AND status IN ('pending', 'review') DO NOTHING
            """)
    }

    /// Claims the automatic payments to ask the gateway for, marked as requested and committed before the gateway is
    /// called, so no row lock is held during the call: new ones and refused ones whose wait is over (`retry_at`) while
    /// the company's auto-recharge is on, and ones requested before `stale` that the gateway never confirmed (its
    /// webhook lost, or sent to a replica that died).
    /// Asking again is safe: the payment id is the idempotency key, so a gateway that did charge answers with that
    /// charge and confirms it, once. After `maximumAttempts` a payment is no longer asked for (`giveUpUnconfirmed`).
    static func claimAutomatic(limit: Int, now: Date, stale: Date, maximumAttempts: Int, in transaction: Transaction) async throws -> [ClaimedCharge] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            UPDATE \(unescaped: schema).payments SET requested_at = \(now), attempts = attempts + 1,
                -- Claimed before and never answered (the process died during the ask): its outcome is unknown.
                unclear_at = coalesce(unclear_at, CASE WHEN accepted_at IS NULL THEN requested_at END)
            WHERE id IN (SELECT id FROM \(unescaped: schema).payments
                         WHERE automatic AND status = 'pending'
                           AND ((requested_at IS NULL AND (retry_at IS NULL OR retry_at <= \(now))
                                 -- Never charged yet: not while auto-recharge is off, even if the drop of it
                                 -- (`dropUnneeded`) skipped it for a moment (its account row locked) or has not run.
                                 AND EXISTS (SELECT FROM \(unescaped: schema).accounts a WHERE a.company_id = payments.company_id AND a.auto_recharge))
                                OR (requested_at < \(stale) AND attempts < \(maximumAttempts)))
                         ORDER BY created_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING \(unescaped: columns), attempts
            """)
        var charges: [ClaimedCharge] = []
        for try await row in rows {
            let attempts = try row.makeRandomAccess()["attempts"].decode(Int.self)
            charges.append(ClaimedCharge(payment: try decode(row), attempts: attempts))
        }
        return charges
    }

    /// D-19: the automatic payments the gateway is not being asked for now (new, or waiting to be asked again), with
    /// their account as it is now. Both are locked (those locked elsewhere are left for the next pass): a replica
    /// claiming the payment waits, and a charge moving the balance below the alert meanwhile waits too, then finds no
    /// pending payment in its way and starts a new one.
    static func unaskedAutomatic(in transaction: Transaction) async throws -> [UnaskedCharge] {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT p.id, a.balance, a.low_balance, a.auto_recharge
            FROM \(unescaped: schema).payments p JOIN \(unescaped: schema).accounts a ON a.company_id = p.company_id
            WHERE p.automatic AND p.status = 'pending' AND p.accepted_at IS NULL AND p.unclear_at IS NULL AND p.requested_at IS NULL
            LIMIT 200 FOR UPDATE OF p, a SKIP LOCKED
            """)
        var found: [UnaskedCharge] = []
        for try await (id, balance, low, auto) in rows.decode((UUID, Int64, Int64, Bool).self) {
            found.append(UnaskedCharge(id: PaymentID(id), balance: Money(paise: balance), lowBalance: Money(paise: low), autoRecharge: auto))
        }
        return found
    }

    struct UnaskedCharge {
        let id: PaymentID
        let balance: Money
        let lowBalance: Money
        let autoRecharge: Bool

        /// D-19: still wanted only while auto-recharge is on and the balance below the alert; otherwise the mandate
        /// would be charged without the customer wanting it (they switched it off, or recharged by hand meanwhile).
        var stillNeeded: Bool { BalanceThresholds(lowBalance: lowBalance).startsAutoRecharge(balance: balance, autoRecharge: autoRecharge) }
    }

    /// D-19: automatic payments no longer needed are failed before they are asked for.
    static func dropUnneeded(_ ids: [PaymentID], in transaction: Transaction) async throws {
        guard !ids.isEmpty else { return }
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).payments SET status = 'failed', completed_at = now(),
                failure_reason = 'no longer needed: auto-recharge was switched off or the balance is back above the low-balance alert'
            WHERE id = ANY(\(ids.map(\.uuid))) AND status = 'pending' AND accepted_at IS NULL AND unclear_at IS NULL AND requested_at IS NULL
            """)
    }

    /// An automatic payment claimed for a gateway ask, with the number of asks so far (this one included).
    struct ClaimedCharge {
        let payment: Payment
        let attempts: Int
    }

    /// The gateway accepted the charge (it answered 2xx); it confirms on the webhook.
    static func automaticChargeAccepted(_ id: PaymentID, at now: Date, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            "UPDATE \(unescaped: schema).payments SET accepted_at = coalesce(accepted_at, \(now)) WHERE id = \(id.uuid)")
    }

    /// The gateway refused (`MandateAnswer.refused`): ask again once `retryAt` has passed (`MandateRetry`), or give up
    /// after `maximumAttempts`. A charge the gateway once accepted, or answered unclearly, is never failed here: a
    /// refusal of a later ask says nothing of the charge the earlier one may have made, so it is asked again after the
    /// unconfirmed wait.
    static func automaticChargeFailed(
        _ id: PaymentID, reason: String, retryAt: Date, maximumAttempts: Int, in transaction: Transaction
    ) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).payments SET
                requested_at = CASE WHEN \(unescaped: neverCharged) THEN NULL ELSE requested_at END,
                retry_at = CASE WHEN \(unescaped: neverCharged) THEN \(retryAt) ELSE retry_at END,
                status = CASE WHEN attempts >= \(maximumAttempts) AND \(unescaped: neverCharged) THEN 'failed' ELSE status END,
                failure_reason = CASE WHEN attempts >= \(maximumAttempts) AND \(unescaped: neverCharged) THEN \(reason) ELSE failure_reason END,
                completed_at = CASE WHEN attempts >= \(maximumAttempts) AND \(unescaped: neverCharged) THEN now() ELSE completed_at END
            WHERE id = \(id.uuid) AND status = 'pending'
            """)
    }

    /// The gateway's answer did not say whether it charged (`MandateAnswer.unclear`): from now on the payment may have
    /// been charged. It stays claimed, and is asked again with the same key after the unconfirmed wait.
    static func automaticChargeUnclear(_ id: PaymentID, at now: Date, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            "UPDATE \(unescaped: schema).payments SET unclear_at = coalesce(unclear_at, \(now)) WHERE id = \(id.uuid) AND status = 'pending'")
    }

    /// Neither accepted nor answered unclearly: the mandate was certainly never charged for this payment.
    private static let neverCharged = "(accepted_at IS NULL AND unclear_at IS NULL)"

    /// Charges still unconfirmed after every ask: failed, so that the company's next drop below the alert can start a
    /// new auto-recharge (one automatic payment may be pending at a time). Accepted ones, and also those whose last ask
    /// got no clear answer or never finished (the process died during it): nothing else would ever move them, and the
    /// company's auto-recharge would stay blocked. A capture that still comes settles it (`CaptureDecision`).
    static func giveUpUnconfirmed(before stale: Date, maximumAttempts: Int, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).payments
            SET status = 'failed', completed_at = now(),
                failure_reason = CASE WHEN accepted_at IS NULL
                    THEN 'the gateway never answered the last mandate charge clearly, and never confirmed one'
                    ELSE 'the gateway accepted the mandate charge but never confirmed it' END
            WHERE automatic AND status = 'pending' AND attempts >= \(maximumAttempts) AND requested_at < \(stale)
            """)
    }

    /// Pending purchases (numbers, upgrades) that were never paid expire, so they block nothing for long. A capture
    /// that still comes delivers the purchase if it can, or credits the wallet (`PaymentDelivery`).
    static func expireAbandoned(company: CompanyID?, purpose: PaymentPurpose, olderThanSeconds: Int, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).payments SET status = 'failed', failure_reason = 'expired unpaid', completed_at = now()
            WHERE purpose = \(purpose.rawValue) AND status = 'pending' AND NOT automatic
              AND (\(company?.uuid)::uuid IS NULL OR company_id = \(company?.uuid))
              AND created_at < now() - make_interval(secs => \(olderThanSeconds))
            """)
    }

    static func pendingCount(company: CompanyID, purpose: PaymentPurpose, in transaction: Transaction) async throws -> Int {
        let schema = transaction.schema.rawValue
        let rows = try await transaction.query(
            """
            SELECT count(*) FROM \(unescaped: schema).payments
            WHERE company_id = \(company.uuid) AND purpose = \(purpose.rawValue) AND status = 'pending'
            """)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    static func complete(_ payment: Payment, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            """
            UPDATE \(unescaped: schema).payments
            SET status = \(payment.status.rawValue), provider_reference = \(payment.providerReference),
                failure_reason = \(payment.failureReason), completed_at = \(payment.completedAt),
                captured_amount = \(payment.capturedAmount?.paise)
            WHERE id = \(payment.id.uuid)
            """)
    }

    /// BI-32: the operator's note of a reconciliation, for the audit trail only.
    static func keepOperatorNote(_ payment: Payment, note: String, in transaction: Transaction) async throws {
        let schema = transaction.schema.rawValue
        try await transaction.query(
            "UPDATE \(unescaped: schema).payments SET operator_note = \(note) WHERE company_id = \(payment.companyID.uuid) AND id = \(payment.id.uuid)")
    }

    static func decode(_ row: PostgresRow) throws -> Payment {
        let (id, company, amount, gst, method, status, code, reference, failure, created, completed, purpose, subject, lines, automatic, accepted, captured, upgradeFrom, yearStart) =
            try row.decode(
                (UUID, UUID, Int64, Int64, String, String, String?, String?, String?, Date, Date?, String, String?, String, Bool, Date?, Int64?, String?, Date?).self)
        let named = row.makeRandomAccess()
        let pricedUntil = try named["priced_until"].decode(Date?.self)
        let basis = upgradeFrom.flatMap(Plan.init(rawValue:)).flatMap { plan in
            yearStart.map { UpgradeBasis(plan: plan, yearStart: $0, paidUntil: pricedUntil) }
        }
        return Payment(
            id: PaymentID(id), purpose: PaymentPurpose(rawValue: purpose) ?? .recharge, subject: subject,
            lines: try JSONCoding.decoder().decode([InvoiceDocument.Line].self, from: Data(lines.utf8)), automatic: automatic, companyID: CompanyID(company), amount: Money(paise: amount), gst: Money(paise: gst),
            method: PaymentMethod(rawValue: method) ?? .online, status: PaymentStatus(rawValue: status) ?? .pending, offlineCode: code,
            providerReference: reference, failureReason: failure, createdAt: created, completedAt: completed, acceptedAt: accepted,
            capturedAmount: captured.map(Money.init(paise:)), upgradeBasis: basis, pricedUntil: pricedUntil,
            rentalCycle: try named["rental_cycle"].decode(String?.self))
    }
}

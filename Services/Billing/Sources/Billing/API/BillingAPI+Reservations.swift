import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

extension BillingAPI {
    /// D-15, CA-39 stage one: would the wallet cover this campaign now? Nothing is held.
    @Sendable func quote(_ request: Request, context: AppRequestContext) async throws -> QuoteView {
        let company = try context.require("billing.reserve", roles: Self.campaignRoles).companyID
        let body = try await request.decode(as: CreditRequest.self, context: context)
        return try await database.withTransaction { transaction in
            let account = try await AccountStore.read(company, in: transaction)
            let estimate = try await Self.estimate(body, plan: account.plan, in: transaction)
            let reserved = try await AccountStore.reserved(company, in: transaction)
            return QuoteView(
                estimate: estimate, balance: account.balance, reserved: reserved,
                sufficient: account.serving && BalanceThresholds.canReserve(estimate, balance: account.balance, reserved: reserved),
                minimumRemaining: BalanceThresholds.whatsappMinimum)
        }
    }

    /// D-15, CA-39 stage two: hold the estimate atomically (under the account's row lock), or 402
    /// `INSUFFICIENTBALANCE` (BI-06) when the balance less everything held would drop below ₹1. A request naming the
    /// reference of a hold still in force gets that hold back (200), so a caller that retries never holds twice.
    @Sendable func reserve(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<ReservationView> {
        let company = try context.require("billing.reserve", roles: Self.campaignRoles).companyID
        let body = try await request.decode(as: CreditRequest.self, context: context)
        let lifetime = body.expiresInSeconds ?? 86_400
        guard (60...604_800).contains(lifetime) else {
            throw APIError.unprocessable(
                "reservation.expiry.out_of_range", "expires_in_seconds must be from 60 (a minute) to 604800 (a week).", field: "expires_in_seconds")
        }
        if let reference = body.reference, TextRules.isTooLong(reference, max: 200, maxBytes: TextRules.indexedBytes) || TextRules.hasControlCharacters(reference) {
            throw APIError.unprocessable(
                "reservation.reference.invalid", "The reference has at most 200 characters (2,000 bytes) and no control characters.", field: "reference")
        }
        let now = Date()
        let (reservation, repeated) = try await database.withTransaction { transaction in
            let account = try await AccountStore.lock(company, in: transaction)
            // Under the account lock, so two requests with one reference cannot both hold.
            if let reference = body.reference, let existing = try await ReservationStore.held(reference: reference, company: company, now: now, in: transaction) {
                return (existing, true)
            }
            let amount = try await Self.estimate(body, plan: account.plan, in: transaction)
            guard account.status == .active else {
                throw APIError.paymentRequired("account.suspended", "Your account is suspended; pay the dues and refresh your balance.")
            }
            guard account.planLapsedAt == nil else {
                throw APIError.paymentRequired("plan.expired", "Your \(account.plan.rawValue) plan expired; renew it to send again.")
            }
            let reserved = try await AccountStore.reserved(company, in: transaction)
            guard BalanceThresholds.canReserve(amount, balance: account.balance, reserved: reserved) else {
                throw APIError.paymentRequired("INSUFFICIENTBALANCE", "Insufficient balance: \(amount) is needed and \(account.balance - reserved) is available; at least ₹1.00 must remain.")
            }
            let reservation = Reservation(
                id: ReservationID(), companyID: company, reference: body.reference, amount: amount, captured: .zero, status: .held,
                expiresAt: now.addingTimeInterval(TimeInterval(lifetime)), createdAt: now)
            try await ReservationStore.insert(reservation, in: transaction)
            return (reservation, false)
        }
        return EditedResponse(status: repeated ? .ok : .created, response: ReservationView(reservation, now: now))
    }

    @Sendable func reservation(_ request: Request, context: AppRequestContext) async throws -> ReservationView {
        let company = try context.require("billing.reserve", roles: Self.campaignRoles).companyID
        let id = try context.id("id", as: ReservationID.self)
        let found = try await database.withTransaction { transaction in
            try await ReservationStore.find(id, company: company, forUpdate: false, in: transaction)
        }
        guard let found else { throw APIError.notFound("reservation") }
        return ReservationView(found)
    }

    /// Charges the actual usage against a held reservation and frees the rest. What was already charged and drawn
    /// from the hold counts towards the usage (`HoldCapture`). Repeating the same capture is a no-op; a different one
    /// is a conflict.
    @Sendable func capture(_ request: Request, context: AppRequestContext) async throws -> ReservationView {
        let company = try context.require("billing.reserve", roles: Self.campaignRoles).companyID
        let id = try context.id("id", as: ReservationID.self)
        let body = try await request.decode(as: CaptureRequest.self, context: context)
        let now = Date()
        let settled = try await database.withTransaction { transaction in
            let account = try await AccountStore.lock(company, in: transaction)
            guard var reservation = try await ReservationStore.find(id, company: company, forUpdate: true, in: transaction) else {
                throw APIError.notFound("reservation")
            }
            if reservation.status == .captured && reservation.captured == body.amount { return reservation }
            try Self.requireHeld(reservation, now: now)
            let charge: Money
            switch HoldCapture.charge(usage: body.amount, held: reservation.amount, drawn: reservation.drawn) {
            case .success(let amount): charge = amount
            case .failure(.aboveHeld(let ceiling)):
                throw APIError.unprocessable(
                    "reservation.capture.out_of_range", "The captured amount must be between ₹0 and the \(ceiling) reserved.", field: "amount")
            case .failure(.belowDrawn(let drawn)):
                throw APIError.unprocessable(
                    "reservation.capture.below_drawn",
                    "\(drawn) was already charged against this reservation; the captured usage cannot be less.", field: "amount")
            }
            if charge > .zero {
                try await Wallet.append(
                    [Posting(
                        companyID: company, source: "reservation:\(reservation.id)", kind: "campaign", debit: Posting.wallet,
                        credit: "revenue:campaign", amount: charge, quantity: nil,
                        description: "Campaign usage" + (reservation.reference.map { " (\($0))" } ?? ""), occurredAt: now)],
                    accounts: [company: account], outbox: outbox, now: now, in: transaction)
            }
            reservation.status = .captured
            reservation.captured = body.amount
            reservation.settledAt = now
            try await ReservationStore.settle(reservation, in: transaction)
            return reservation
        }
        return ReservationView(settled, now: now)
    }

    /// D-15: the unused reservation is released when the campaign ends. Releasing twice is a no-op.
    @Sendable func release(_ request: Request, context: AppRequestContext) async throws -> ReservationView {
        let company = try context.require("billing.reserve", roles: Self.campaignRoles).companyID
        let id = try context.id("id", as: ReservationID.self)
        let now = Date()
        let settled = try await database.withTransaction { transaction in
            guard var reservation = try await ReservationStore.find(id, company: company, forUpdate: true, in: transaction) else {
                throw APIError.notFound("reservation")
            }
            switch reservation.status {
            case .released: return reservation
            case .captured:
                throw APIError.conflict("reservation.settled", "This reservation was already captured.")
            case .held:
                reservation.status = .released
                reservation.settledAt = now
                try await ReservationStore.settle(reservation, in: transaction)
                return reservation
            }
        }
        return ReservationView(settled, now: now)
    }

    private static func requireHeld(_ reservation: Reservation, now: Date) throws {
        guard reservation.status == .held else {
            throw APIError.conflict("reservation.settled", "This reservation was already \(reservation.status.rawValue).")
        }
        guard reservation.expiresAt > now else {
            throw APIError.conflict("reservation.expired", "This reservation expired; reserve again.")
        }
    }

    /// The largest single quote or hold, ₹1 crore: far above any campaign, and far from `Int64` overflow.
    static let maximumHold = Money.rupees(10_000_000)

    /// An explicit amount, or recipients × the category's conversation rate on the caller's plan (D-15).
    static func estimate(_ body: CreditRequest, plan: Plan, in transaction: Transaction) async throws -> Money {
        switch (body.amount, body.recipients, body.category) {
        case (let amount?, nil, nil):
            guard amount > .zero else { throw APIError.unprocessable("credit.amount.not_positive", "The amount must be above zero.", field: "amount") }
            guard amount <= maximumHold else {
                throw APIError.unprocessable("credit.amount.too_large", "At most \(maximumHold) can be quoted or held at once.", field: "amount")
            }
            return amount
        case (nil, let recipients?, let category?):
            guard (1...100_000).contains(recipients) else {
                throw APIError.unprocessable("credit.recipients.out_of_range", "recipients must be from 1 to 100000.", field: "recipients")
            }
            guard let card = try await RateCardStore.load(in: transaction)[plan] else { throw APIError.notFound("rate_card") }
            let estimate = UsageRating.campaignEstimate(recipients: recipients, category: category, card: card)
            guard estimate > .zero else {
                throw APIError.unprocessable("credit.estimate.free", "Conversations of this category are free; nothing to reserve.", field: "category")
            }
            return estimate
        default:
            throw APIError.badRequest(
                "credit.request.ambiguous", "Send either amount, or recipients together with category.", field: body.amount == nil ? "amount" : "recipients")
        }
    }
}

public import Contracts
public import Foundation
public import Storage

/// BI-32: an operator settles a payment held for review once the provider's records say what happened
/// (`billing settle-review PAYMENT deliver|credit|fail NOTE`). Only a payment in review moves, once; a corrected
/// capture from the provider after a `fail` still settles it, as for any failed payment.
public enum ReviewCommand {
    public enum Resolution: String, Sendable, CaseIterable {
        /// The provider did capture the payable: deliver what the payment bought, as a capture would have.
        case deliver
        /// The provider captured the amount it reported and the customer leaves it with us: the wallet gets it.
        case credit
        /// Nothing was kept (the provider refunded or reversed it): the payment fails.
        case fail
    }

    public enum Outcome: Sendable, Equatable {
        case settled(PaymentStatus)
        case refused(String)
    }

    public static func run(
        payment id: PaymentID, resolution: Resolution, note: String, database: Database, now: Date = Date()
    ) async throws -> Outcome {
        // NUL bytes go before the note is checked: PostgreSQL cannot store them.
        let note = BillingAPI.storable(note).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { return .refused("say what the provider's records show") }
        let settlement = PaymentSettlement(outbox: Outbox(schema: database.schema))
        return try await database.withTransaction { transaction in
            guard var payment = try await PaymentStore.find(id, company: nil, forUpdate: true, in: transaction) else {
                return .refused("there is no payment \(id)")
            }
            guard payment.status == .review else { return .refused("payment \(id) is \(payment.status.rawValue), not in review") }
            let captured = payment.capturedAmount
            switch resolution {
            // The provider's reported amount stays on the payment and the note goes to the audit column: the customer
            // sees what happened, not the operator's working.
            case .deliver:
                try await settlement.settle(payment, now: now, in: transaction)
                payment.status = .succeeded
                payment.failureReason = nil
            case .credit:
                guard let captured, PaymentRules.creditableCapture.contains(captured) else {
                    return .refused("the provider stated no captured amount that can be credited; settle it with deliver or fail")
                }
                try await settlement.creditCaptured(payment, captured: captured, now: now, in: transaction)
                payment.status = .succeeded
                payment.failureReason = "reconciled with the payment provider: the \(captured) captured was credited to the wallet"
            case .fail:
                payment.status = .failed
                payment.failureReason = "reconciled with the payment provider: the payment was not kept"
            }
            payment.completedAt = now
            try await PaymentStore.complete(payment, in: transaction)
            try await PaymentStore.keepOperatorNote(payment, note: "\(resolution.rawValue): \(note)", in: transaction)
            return .settled(payment.status)
        }
    }

    public static func main(arguments: [String]) async -> Int32 {
        guard arguments.count == 3, let id = PaymentID(arguments[0]),
            let resolution = Resolution(rawValue: arguments[1])
        else {
            FileHandle.standardError.write(Data("usage: billing settle-review PAYMENT_ID deliver|credit|fail NOTE\n".utf8))
            return 2
        }
        do {
            let outcome = try await OperatorDatabase.with(label: "billing.settle-review") {
                try await run(payment: id, resolution: resolution, note: arguments[2], database: $0)
            }
            switch outcome {
            case .settled(let status):
                print("payment \(id) is now \(status.rawValue)")
                return 0
            case .refused(let why):
                FileHandle.standardError.write(Data("nothing changed: \(why)\n".utf8))
                return 1
            }
        } catch {
            FileHandle.standardError.write(Data("settle-review failed: \(error)\n".utf8))
            return 2
        }
    }
}

import Contracts
import Foundation

/// A ledger entry about to be appended: `amount` moves from the `debit` account to the `credit` account.
struct Posting: Sendable {
    static let wallet = "wallet"

    /// A number's rental for a billing cycle, one per number and cycle whoever charges it (the purchase, the cycle job).
    static func rentalSource(number: String, cycle: BillingCycle) -> String { rentalSource(number: number, cycleLabel: cycle.label) }

    static func rentalSource(number: String, cycleLabel: String) -> String { "did_rental:\(number):\(cycleLabel)" }

    var companyID: CompanyID
    var source: String
    var kind: String
    var debit: String
    var credit: String
    var amount: Money
    var quantity: Int64?
    var description: String
    var occurredAt: Date

    /// What the posting does to the company's wallet balance.
    var walletEffect: Money {
        if credit == Self.wallet { return amount }
        if debit == Self.wallet { return -amount }
        return .zero
    }

    /// Usage: the wallet pays the revenue account of its kind.
    static func charge(_ charge: UsageCharge, company: CompanyID) -> Posting {
        Posting(
            companyID: company, source: charge.source, kind: charge.kind.rawValue, debit: wallet, credit: "revenue:\(charge.kind.rawValue)",
            amount: charge.amount, quantity: charge.quantity, description: charge.description, occurredAt: charge.occurredAt)
    }
}

import Billing
import Contracts
import Foundation
import PostgresNIO
import ServiceKit
import Storage
import Testing

/// BI-32: the operator's `billing settle-review` against a running Billing: a payment held for review is delivered,
/// credited at what was captured, or failed, once.
@Suite("Billing review settlement")
struct BillingReviewTests {
    /// A recharge of `amount` that the provider captured for `captured` paise instead of amount + GST.
    func heldRecharge(_ billing: BillingHarness, _ company: CompanyID, _ amount: Money, captured: Int) async throws -> PaymentID {
        let created = try await billing.call("POST", "/v1/billing/payments", as: company, json: #"{"amount":\#(amount.paise),"method":"online"}"#)
        let id = try #require(try created.json()["id"] as? String)
        let held = try await billing.providerWebhook(#"{"event":"payment.captured","payment_id":"\#(id)","amount":\#(captured)}"#)
        #expect(try held.json()["status"] as? String == "review")
        return try #require(PaymentID(id))
    }

    func status(_ billing: BillingHarness, _ company: CompanyID, _ payment: PaymentID) async throws -> String? {
        try await billing.call("GET", "/v1/billing/payments/\(payment)", as: company).json()["status"] as? String
    }

    @Test("BI-32: credit keeps what the provider captured (its taxable part in the wallet, invoiced), once")
    func bi32CreditCapturedAmount() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            let gross = 150_001
            let payment = try await heldRecharge(billing, company, .rupees(2_000), captured: gross)
            #expect(try await billing.balance(company) == .zero)
            let refused = try await ReviewCommand.run(payment: payment, resolution: .credit, note: "  ", database: billing.database)
            #expect(refused == .refused("say what the provider's records show"))
            let outcome = try await ReviewCommand.run(
                payment: payment, resolution: .credit, note: "provider settlement report 2026-12-01", database: billing.database)
            #expect(outcome == .settled(.succeeded))
            #expect(try await billing.balance(company) == Money(paise: Int64(gross)) - Tax.split(gross: Money(paise: Int64(gross))).gst,
                "every paisa captured is either GST or in the wallet")
            let invoices = try #require(try await billing.call("GET", "/v1/billing/invoices", as: company).json()["items"] as? [[String: any Sendable]])
            #expect(invoices.count == 1)
            #expect(invoices.first?["taxable"] as? Int == Int(Tax.split(gross: Money(paise: Int64(gross))).taxable.paise))
            let again = try await ReviewCommand.run(payment: payment, resolution: .credit, note: "twice", database: billing.database)
            #expect(again == .refused("payment \(payment) is succeeded, not in review"))
            // The provider's corrected capture, arriving after: already settled, nothing more.
            let replay = try await billing.providerWebhook(#"{"event":"payment.captured","payment_id":"\#(payment)","amount":236000}"#)
            #expect(replay.status == 200)
            #expect(try await billing.balance(company) == Money(paise: Int64(gross)) - Tax.split(gross: Money(paise: Int64(gross))).gst)
        }
    }

    @Test("BI-32: fail keeps nothing; deliver settles at the payable; neither touches a payment not in review")
    func bi32FailAndDeliver() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            let failed = try await heldRecharge(billing, company, .rupees(1_500), captured: 100)
            #expect(try await ReviewCommand.run(payment: failed, resolution: .fail, note: "reversed by the provider", database: billing.database)
                == .settled(.failed))
            #expect(try await status(billing, company, failed) == "failed")
            #expect(try await billing.balance(company) == .zero)

            let delivered = try await heldRecharge(billing, company, .rupees(1_500), captured: 0)
            #expect(try await ReviewCommand.run(payment: delivered, resolution: .credit, note: "no amount", database: billing.database)
                == .refused("the provider stated no captured amount that can be credited; settle it with deliver or fail"))
            #expect(try await ReviewCommand.run(payment: delivered, resolution: .deliver, note: "report shows ₹1,770", database: billing.database)
                == .settled(.succeeded))
            #expect(try await billing.balance(company) == .rupees(1_500))
            // A callback stating an amount no payment can have (more than any Int64's GST, or less than nothing) is still
            // recorded, held for review (refused, the provider would retry it and then switch the webhook off), but never
            // credited: Int64.max's GST trapped the settlement.
            for captured in [Int(Int64.max), -1] {
                let absurd = try await heldRecharge(billing, company, .rupees(1_500), captured: captured)
                #expect(try await ReviewCommand.run(payment: absurd, resolution: .credit, note: "report shows nothing like it", database: billing.database)
                    == .refused("the provider stated no captured amount that can be credited; settle it with deliver or fail"))
                #expect(try await status(billing, company, absurd) == "review")
            }
            let unknown = PaymentID()
            #expect(try await ReviewCommand.run(payment: unknown, resolution: .fail, note: "x", database: billing.database)
                == .refused("there is no payment \(unknown)"))
            // The audit trail keeps what the provider reported and the operator's note; the customer sees neither note.
            #expect(try await billing.database.count(
                "SELECT count(*) FROM billing.payments WHERE id = '\(delivered)' AND operator_note = 'deliver: report shows ₹1,770' AND captured_amount = 0") == 1)
            let shown = try await billing.call("GET", "/v1/billing/payments/\(failed)", as: company).text
            #expect(!shown.contains("reversed by the provider"))
            #expect(shown.contains("reconciled with the payment provider"))
        }
    }
}

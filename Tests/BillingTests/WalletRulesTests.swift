@testable import Billing
import Contracts
import Testing

@Suite("Billing wallet rules")
struct WalletRulesTests {
    @Test("BI-01, D-19: a recharge is at least the minimum top-up and at most ₹10,00,000")
    func rechargeBounds() {
        let minimum = Money.rupees(1_500)
        #expect(PaymentRules.validate(amount: .rupees(1_499), method: .online, offlineCode: nil, minimumTopUp: minimum) == .belowMinimumTopUp(minimum))
        #expect(PaymentRules.validate(amount: .rupees(1_500), method: .online, offlineCode: nil, minimumTopUp: minimum) == nil)
        #expect(PaymentRules.validate(amount: .rupees(1_000_001), method: .online, offlineCode: nil, minimumTopUp: minimum) == .tooLarge(PaymentRules.maximum))
    }

    @Test("BI-33: offline payments (NEFT, RTGS, IMPS, cheque) need a bank reference code; online ones must not carry one")
    func offlineCodes() {
        let minimum = Money.rupees(1)
        #expect(PaymentRules.validate(amount: .rupees(5), method: .neft, offlineCode: nil, minimumTopUp: minimum) == .offlineCodeMissing)
        #expect(PaymentRules.validate(amount: .rupees(5), method: .rtgs, offlineCode: "UTR12", minimumTopUp: minimum) == .offlineCodeInvalid)
        #expect(PaymentRules.validate(amount: .rupees(5), method: .imps, offlineCode: "UTR-123456", minimumTopUp: minimum) == .offlineCodeInvalid)
        #expect(PaymentRules.validate(amount: .rupees(5), method: .cheque, offlineCode: "000123", minimumTopUp: minimum) == nil)
        #expect(PaymentRules.validate(amount: .rupees(5), method: .online, offlineCode: "ABC123", minimumTopUp: minimum) == .offlineCodeNotExpected)
    }

    @Test("BI-32, D-19: a capture settles a payment that is pending, was given up on or held for review; only a settled one ignores it")
    func BI_32_late_capture_settles() {
        let payable = Money(paise: 177_000)
        #expect(CaptureDecision(status: .pending, captured: payable, payable: payable) == .settle)
        #expect(CaptureDecision(status: .failed, captured: payable, payable: payable) == .settle)
        #expect(CaptureDecision(status: .review, captured: payable, payable: payable) == .settle)
        #expect(CaptureDecision(status: .succeeded, captured: payable, payable: payable) == .replay)
        #expect(CaptureDecision(status: .succeeded, captured: Money(paise: 1), payable: payable) == .replay)
    }

    @Test("BI-32: a capture of another amount than payable, or of no stated amount, is held for review, never settled")
    func BI_32_mismatched_capture_is_held() {
        let payable = Money(paise: 177_000)
        #expect(CaptureDecision(status: .pending, captured: Money(paise: 150_000), payable: payable) == .hold)
        #expect(CaptureDecision(status: .pending, captured: Money(paise: 177_001), payable: payable) == .hold)
        #expect(CaptureDecision(status: .pending, captured: nil, payable: payable) == .hold)
        #expect(CaptureDecision(status: .review, captured: Money(paise: 150_000), payable: payable) == .hold)
    }

    @Test("BI-32, BI-19, BI-21: captured money buys the purchase when it still can, and is credited to the wallet otherwise")
    func BI_32_undeliverable_purchase_credits_the_wallet() {
        #expect(PaymentDelivery(purpose: .didPurchase, deliverable: true) == .purchase)
        #expect(PaymentDelivery(purpose: .planUpgrade, deliverable: true) == .purchase)
        #expect(PaymentDelivery(purpose: .didPurchase, deliverable: false) == .walletCredit)
        #expect(PaymentDelivery(purpose: .planUpgrade, deliverable: false) == .walletCredit)
        #expect(PaymentDelivery(purpose: .recharge, deliverable: true) == .walletCredit)
    }

    @Test("D-15: a capture charges the usage less what was already drawn from the hold, never less than the draws")
    func D_15_capture_counts_the_draws() {
        #expect(HoldCapture.charge(usage: .rupees(10), held: .rupees(100), drawn: .rupees(3)) == .success(.rupees(7)))
        #expect(HoldCapture.charge(usage: .rupees(3), held: .rupees(100), drawn: .rupees(3)) == .success(.zero))
        #expect(HoldCapture.charge(usage: .rupees(2), held: .rupees(100), drawn: .rupees(3)) == .failure(.belowDrawn(.rupees(3))))
        #expect(HoldCapture.charge(usage: .rupees(101), held: .rupees(100), drawn: .zero) == .failure(.aboveHeld(.rupees(100))))
        #expect(HoldCapture.charge(usage: .rupees(120), held: .rupees(100), drawn: .rupees(120)) == .success(.zero), "draws past the hold")
    }

    @Test("D-15: a conversation rated after the capture is paid by what the capture charged beyond the draws, then by the wallet")
    func lateConversationsCovered() {
        #expect(HoldCapture.cover(Money(paise: 80), remaining: Money(paise: 100)) == (Money(paise: 80), .zero))
        #expect(HoldCapture.cover(Money(paise: 80), remaining: Money(paise: 20)) == (Money(paise: 20), Money(paise: 60)))
        #expect(HoldCapture.cover(Money(paise: 80), remaining: .zero) == (.zero, Money(paise: 80)))
        #expect(HoldCapture.cover(Money(paise: 80), remaining: Money(paise: -5)) == (.zero, Money(paise: 80)))
    }

    @Test("BI-19, D-22: the customer pays the recharge plus 18 % GST")
    func payable() {
        let (gst, total) = PaymentRules.payable(amount: .rupees(1_500))
        #expect(gst == .rupees(270))
        #expect(total == .rupees(1_770))
    }

    @Test("BI-02, BI-04: settings must hang together; the minimum balance cannot go below the credit limit")
    func settings() {
        let limit = Money.rupees(100)
        let valid = BillingSettings(lowBalance: .rupees(500), minimumBalance: .rupees(-10), minimumTopUp: .rupees(1_500), autoRecharge: false)
        #expect(valid.violations(creditLimit: limit).isEmpty)
        var low = valid
        low.minimumBalance = .rupees(-101)
        #expect(low.violations(creditLimit: limit).map(\.code) == ["billing.minimum_balance.below_credit_limit"])
        var crossed = valid
        crossed.minimumBalance = .rupees(600)
        #expect(crossed.violations(creditLimit: limit).map(\.field) == ["minimum_balance"])
        var topUp = valid
        topUp.minimumTopUp = Money(paise: 99)
        topUp.lowBalance = .rupees(-1)
        #expect(topUp.violations(creditLimit: limit).map(\.field) == ["low_balance", "minimum_topup"])
    }

    @Test("BI-32, D-22: a captured gross splits into a taxable part and its GST, with at most a paisa left over, never lost")
    func bi32GrossSplit() {
        let exact = Tax.split(gross: .rupees(1_770))
        #expect(exact.taxable == .rupees(1_500))
        #expect(exact.gst == .rupees(270))
        #expect(exact.remainder == .zero)
        var remainders = 0
        for paise in Int64(0)...5_000 {
            let split = Tax.split(gross: Money(paise: paise))
            #expect(split.taxable + split.gst + split.remainder == Money(paise: paise))
            #expect(split.gst == Tax.gst(on: split.taxable))
            #expect(split.remainder == .zero || split.remainder == Money(paise: 1))
            // The largest taxable part: one paisa more would total above the gross.
            let more = split.taxable + Money(paise: 1)
            #expect(more + Tax.gst(on: more) > Money(paise: paise))
            if split.remainder > .zero { remainders += 1 }
        }
        #expect(remainders > 0, "some grosses have no exact taxable amount: the paisa must not vanish")
    }

    @Test("D-22: invoices carry 18 % GST on the sum of their lines and are numbered per series")
    func invoiceDocument() {
        let document = InvoiceDocument(lines: [
            .init(description: "DID setup", quantity: 1, amount: .rupees(1_000)),
            .init(description: "DID rental, 16 of 30 days", quantity: 1, amount: Proration.amount(monthly: .rupees(200), daysCharged: 16, daysInCycle: 30)),
        ])
        #expect(document.taxable == Money(paise: 110_667))
        #expect(document.gst == Money(paise: 19_920))
        #expect(document.total == Money(paise: 130_587))
        #expect(InvoiceDocument.Kind.invoice.number(42) == "INV-000042")
        #expect(InvoiceDocument.Kind.creditNote.number(1_234_567) == "CN-1234567")
    }

    @Test("BI-15: a rate card CSV is checked whole, with the line of every problem")
    func rateImport() throws {
        let good = "plan,item,rate\ncompact,whatsapp.marketing,1.15\nsuv,call.inbound.toll_free,1.20\n"
        let rows = try RateCardImport.parse(good).get()
        #expect(rows.map(\.rate) == [Money(paise: 115), Money(paise: 120)])
        #expect(rows.map(\.plan) == [.compact, .suv])
        // The highest rate a unit may cost is taken; a paisa more is a typo.
        #expect(try RateCardImport.parse("plan,item,rate\ncompact,whatsapp.marketing,100000\n").get().map(\.rate) == [.rupees(100_000)])
        guard case .failure(let above) = RateCardImport.parse("plan,item,rate\ncompact,whatsapp.marketing,100000.01\n") else {
            Issue.record("a rate above the maximum was accepted")
            return
        }
        #expect(above.all.map(\.code) == ["rates.rate"])
        let bad = "plan,item,rate\ncompact,whatsapp.marketing,1.155\nlimo,sms.promotional,0.2\ncompact,sms.premium,0.2\ncompact,whatsapp.marketing,1\ncompact,whatsapp.marketing,2\n"
            + "suv,whatsapp.marketing,999999999999999.99\n"
        guard case .failure(let violations) = RateCardImport.parse(bad) else {
            Issue.record("a bad file was accepted")
            return
        }
        #expect(violations.all.map(\.line) == [2, 3, 4, 6, 7])
        #expect(violations.all.map(\.code) == ["rates.rate", "rates.plan", "rates.item", "rates.duplicate", "rates.rate"])
        guard case .failure(let header) = RateCardImport.parse("item,rate\n") else {
            Issue.record("a file without the header was accepted")
            return
        }
        #expect(header.all.map(\.code) == ["rates.header"])
    }

    @Test("BI-28: a GSTIN has the state code, PAN, entity number, Z and a check character")
    func gstin() {
        #expect(BusinessDetails.isGSTIN("27AAPFU0939F1ZV"))
        #expect(!BusinessDetails.isGSTIN("27AAPFU0939F1XV"))
        #expect(!BusinessDetails.isGSTIN("27aapfu0939f1zv"))
        #expect(BusinessDetails.violation(name: " ", email: nil, gstin: nil)?.field == "billing_name")
        #expect(BusinessDetails.violation(name: nil, email: "accounts@", gstin: nil)?.field == "billing_email")
    }

    @Test("BI-29: with GST details on file, the GSTIN and the billing name are locked; before, both may change")
    func bi29LockedAfterKYC() {
        let gstin = "27AAPFU0939F1ZV"
        #expect(BusinessDetails.lockViolation(gstinOnFile: nil, nameOnFile: "Acme", name: "Acme Retail", gstin: gstin) == nil)
        #expect(BusinessDetails.lockViolation(gstinOnFile: gstin, nameOnFile: "Acme", name: "Acme Retail", gstin: nil)?.code == "billing.name.locked_by_gst")
        #expect(BusinessDetails.lockViolation(gstinOnFile: gstin, nameOnFile: "Acme", name: nil, gstin: "29AAPFU0939F1ZV")?.code == "billing.gstin.locked")
        #expect(BusinessDetails.lockViolation(gstinOnFile: gstin, nameOnFile: "Acme", name: "Acme", gstin: gstin) == nil, "the same values again")
        #expect(BusinessDetails.lockViolation(gstinOnFile: gstin, nameOnFile: "Acme", name: nil, gstin: nil) == nil, "the e-mail alone")
    }

    @Test("D-15, BI-07: reservations leave at least ₹1 once everything held is counted")
    func reservationArithmetic() {
        #expect(BalanceThresholds.canReserve(.rupees(99), balance: .rupees(200), reserved: .rupees(100)))
        #expect(!BalanceThresholds.canReserve(Money(paise: 9_901), balance: .rupees(200), reserved: .rupees(100)))
        #expect(!BalanceThresholds.canReserve(.zero, balance: .rupees(200), reserved: .zero))
    }
}

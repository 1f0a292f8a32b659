import Billing
import Contracts
import Testing

@Suite("Billing rating rules")
struct RatingRulesTests {
    let rupeePerMinute = Money.rupees(1)

    @Test(
        "D-20, BI-10: billable seconds are rounded up to whole pulses",
        arguments: [
            (1, Pulse.sixtySeconds, 100), (60, .sixtySeconds, 100), (61, .sixtySeconds, 200), (125, .sixtySeconds, 300),
            (1, .thirtySeconds, 50), (31, .thirtySeconds, 100), (61, .thirtySeconds, 150),
            (1, .fifteenSeconds, 25), (16, .fifteenSeconds, 50), (46, .fifteenSeconds, 100),
            (1, .oneSecond, 2), (61, .oneSecond, 102), (90, .oneSecond, 150),
        ] as [(Int, Pulse, Int64)])
    func pulseRounding(seconds: Int, pulse: Pulse, paise: Int64) {
        #expect(CallRating.charge(billableSeconds: seconds, pulse: pulse, ratePerMinute: rupeePerMinute) == Money(paise: paise))
    }

    @Test("D-20: a call with no billable seconds costs nothing")
    func zeroSeconds() {
        #expect(CallRating.charge(billableSeconds: 0, pulse: .sixtySeconds, ratePerMinute: Money.rupees(2)) == .zero)
    }

    @Test("D-20: pulses of an odd rate are priced together, not rounded one by one")
    func oddRate() {
        // Four 15-second pulses of ₹1.01 a minute are exactly ₹1.01, not 4 × 25 paise.
        #expect(CallRating.charge(billableSeconds: 60, pulse: .fifteenSeconds, ratePerMinute: Money(paise: 101)) == Money(paise: 101))
        #expect(CallRating.charge(billableSeconds: 15, pulse: .fifteenSeconds, ratePerMinute: Money(paise: 101)) == Money(paise: 25))
    }

    @Test(
        "D-21: GSM-7 texts take 160 septets, 153 per concatenated segment",
        arguments: [(0, 1), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)])
    func gsmSegments(length: Int, segments: Int) {
        let text = String(repeating: "a", count: length)
        #expect(SMSSegments.encoding(of: text) == .gsm7)
        #expect(SMSSegments.count(text) == segments)
    }

    @Test("D-21: extension characters take two septets and are never split")
    func gsmExtension() {
        #expect(SMSSegments.encoding(of: "Price: 10€ [promo]") == .gsm7)
        #expect(SMSSegments.count(String(repeating: "€", count: 80)) == 1)  // 160 septets
        #expect(SMSSegments.count(String(repeating: "€", count: 81)) == 2)  // 162 septets
        // 152 septets of letters, then a two-septet character: it moves whole to the second segment.
        #expect(SMSSegments.count(String(repeating: "a", count: 152) + "€" + String(repeating: "a", count: 152)) == 3)
    }

    @Test(
        "D-21: any other character makes the text UCS-2: 70 units, 67 per concatenated segment",
        arguments: [(70, 1), (71, 2), (134, 2), (135, 3)])
    func ucs2Segments(length: Int, segments: Int) {
        let text = "न" + String(repeating: "a", count: length - 1)
        #expect(SMSSegments.encoding(of: text) == .ucs2)
        #expect(SMSSegments.count(text) == segments)
    }

    @Test("D-21: a surrogate pair counts two units and is never split")
    func surrogatePairs() {
        #expect(SMSSegments.count(String(repeating: "😀", count: 35)) == 1)  // 70 units
        #expect(SMSSegments.count(String(repeating: "😀", count: 36)) == 2)  // 72 units: 33 + 3 pairs
        // 134 units would fit two segments of 67 only by splitting the pair, so it takes three.
        #expect(SMSSegments.count(String(repeating: "a", count: 66) + "😀" + String(repeating: "a", count: 66)) == 3)
    }

    @Test("D-22, BI-19: GST is 18 %, rounded half up to the paisa")
    func gst() {
        #expect(Tax.gst(on: Money.rupees(1_000)) == Money.rupees(180))
        #expect(Tax.gst(on: Money(paise: 1)) == Money(paise: 0))
        #expect(Tax.gst(on: Money(paise: 3)) == Money(paise: 1))  // 0.54 → 1
        #expect(Tax.gst(on: Money(paise: 12_345)) == Money(paise: 2_222))  // 2222.1
    }

    @Test("D-22, BI-19: a DID bought mid-cycle pays its ₹200 rental for the days left")
    func didProration() {
        #expect(Proration.amount(monthly: Money.rupees(200), daysCharged: 30, daysInCycle: 30) == Money.rupees(200))
        #expect(Proration.amount(monthly: Money.rupees(200), daysCharged: 15, daysInCycle: 30) == Money.rupees(100))
        #expect(Proration.amount(monthly: Money.rupees(200), daysCharged: 10, daysInCycle: 31) == Money(paise: 6_452))
        #expect(Proration.amount(monthly: Money.rupees(200), daysCharged: 0, daysInCycle: 28) == .zero)
        #expect(Proration.amount(monthly: Money.rupees(200), daysCharged: 40, daysInCycle: 28) == Money.rupees(200))
    }
}

@testable import Billing
import Contracts
import Foundation
import Testing

@Suite("Billing promotional SMS credits")
struct PromoSMSCreditsTests {
    static let rate = Money(paise: 20)

    static func promotional(segments: Int, at date: Date = Date()) throws -> UsageCharge {
        let sms = NotificationDelivered(
            notificationID: UUID(), channel: .sms, kind: .promotional, recipient: "+919876543210",
            text: String(repeating: "a", count: 153 * segments), deliveredAt: date)
        return try #require(UsageRating.notification(sms, card: UsageRatingTests.card))
    }

    @Test("BI-17: credits pay for segments first, one credit each; the wallet pays only for the segments they do not cover")
    func bi17CreditsPaySegmentsFirst() throws {
        let charge = try Self.promotional(segments: 3)
        #expect(charge.amount == Money(paise: 60))

        let covered = PromoSMSCredits.pay(charge, rate: Self.rate, available: 10)
        #expect(covered == PromoSMSCredits.Payment(credits: 3, charge: nil))

        let partly = PromoSMSCredits.pay(charge, rate: Self.rate, available: 2)
        #expect(partly.credits == 2)
        let rest = try #require(partly.charge)
        #expect(rest.amount == Money(paise: 20))
        #expect(rest.quantity == 1)
        #expect(rest.source == charge.source)
        #expect(rest.description.hasSuffix("2 paid from promo SMS credits"))

        #expect(PromoSMSCredits.pay(charge, rate: Self.rate, available: 0) == PromoSMSCredits.Payment(credits: 0, charge: charge))
        #expect(PromoSMSCredits.pay(charge, rate: Self.rate, available: -5) == PromoSMSCredits.Payment(credits: 0, charge: charge))
    }

    @Test("BI-17, D-21: an SMS uses the credits of the calendar month it was delivered in, by India's clock (Billing knows no other company time zone yet)")
    func bi17MonthInCompanyTimeZone() throws {
        let timestamp = ISO8601DateFormatter()
        // 23:59 IST on 30 November is still November; 00:01 IST on 1 December (18:31 UTC the day before) is December.
        let lastMinute = try #require(timestamp.date(from: "2026-11-30T18:29:00Z"))
        let firstMinute = try #require(timestamp.date(from: "2026-11-30T18:31:00Z"))
        #expect(PromoSMSCredits.month(of: lastMinute, timeZone: .kolkata).label == "2026-11-01")
        #expect(PromoSMSCredits.month(of: firstMinute, timeZone: .kolkata).label == "2026-12-01")
        // The month's credits lapse at midnight IST as it ends.
        #expect(PromoSMSCredits.month(of: lastMinute, timeZone: .kolkata).end == timestamp.date(from: "2026-11-30T18:30:00Z"))
        #expect(PromoSMSCredits.month(of: firstMinute, timeZone: .kolkata).end == timestamp.date(from: "2026-12-31T18:30:00Z"))
    }

    @Test("BI-17: what is left is the allowance less what was spent, never below zero; nothing carries forward")
    func bi17RemainingNeverNegative() {
        #expect(PromoSMSCredits.remaining(allowance: 1_000, used: 0) == 1_000)
        #expect(PromoSMSCredits.remaining(allowance: 1_000, used: 998) == 2)
        // Spent on a bigger plan, then downgraded.
        #expect(PromoSMSCredits.remaining(allowance: 1_000, used: 2_400) == 0)
    }

    @Test("BI-17: only promotional SMS use credits")
    func bi17OnlyPromotionalSMS() {
        func delivered(_ channel: NotificationDelivered.Channel, _ kind: NotificationDelivered.Kind) -> NotificationDelivered {
            NotificationDelivered(notificationID: UUID(), channel: channel, kind: kind, recipient: "x", text: "hi", deliveredAt: Date())
        }
        #expect(PromoSMSCredits.apply(to: delivered(.sms, .promotional)))
        #expect(!PromoSMSCredits.apply(to: delivered(.sms, .transactional)))
        #expect(!PromoSMSCredits.apply(to: delivered(.email, .promotional)))
    }
}

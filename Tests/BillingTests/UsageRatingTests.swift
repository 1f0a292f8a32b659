@testable import Billing
import Contracts
import Foundation
import Testing

@Suite("Billing usage rating")
struct UsageRatingTests {
    static let card = RateCard(
        plan: .compact, pulse: .sixtySeconds,
        rates: [
            .call(.inbound, .virtual): Money(paise: 60), .call(.inbound, .tollFree): Money(paise: 150),
            .call(.outbound, .virtual): Money(paise: 90), .notification(.sms, .transactional): Money(paise: 25),
            .notification(.sms, .promotional): Money(paise: 20), .whatsapp(.marketing): Money(paise: 109),
            .whatsapp(.utility): Money(paise: 16), .whatsapp(.service): Money(paise: 50),
        ])

    static func call(_ outcome: CallCompleted.Outcome, seconds: Int, type: CallCompleted.NumberType = .virtual, direction: CallCompleted.Direction = .inbound)
        -> CallCompleted
    {
        CallCompleted(
            uid: CallID(), direction: direction, did: PhoneNumber(e164: "+918044556677")!, didType: type,
            customer: PhoneNumber(e164: "+919876543210"), outcome: outcome, pickedUpAt: Date(), endedAt: Date(), billableSeconds: seconds)
    }

    @Test("D-20, BI-10: a connected call is charged its billable seconds in whole pulses at the direction and number rate")
    func connected() throws {
        let call = Self.call(.connected, seconds: 61)
        let charge = try #require(UsageRating.call(call, card: Self.card))
        #expect(charge.amount == Money(paise: 120))
        #expect(charge.source == "call:\(call.uid)")
        #expect(charge.quantity == 61)
        #expect(charge.kind == .call)
    }

    @Test("BI-10, BI-11: missed and voicemail calls used the IVR and are charged from system pickup")
    func missedAndVoicemail() {
        #expect(UsageRating.call(Self.call(.missed, seconds: 30), card: Self.card)?.amount == Money(paise: 60))
        #expect(UsageRating.call(Self.call(.voicemail, seconds: 90), card: Self.card)?.amount == Money(paise: 120))
    }

    @Test("D-20: rejected and no-flow calls cost nothing, whatever their seconds")
    func freeOutcomes() {
        #expect(UsageRating.call(Self.call(.rejected, seconds: 40), card: Self.card) == nil)
        #expect(UsageRating.call(Self.call(.noFlow, seconds: 40), card: Self.card) == nil)
        #expect(UsageRating.call(Self.call(.failed, seconds: 0), card: Self.card) == nil)
    }

    @Test("BI-16: toll-free inbound calls are charged to the business at the toll-free rate")
    func tollFree() {
        #expect(UsageRating.call(Self.call(.connected, seconds: 60, type: .tollFree), card: Self.card)?.amount == Money(paise: 150))
        #expect(UsageRating.call(Self.call(.connected, seconds: 60, direction: .outbound), card: Self.card)?.amount == Money(paise: 90))
    }

    @Test("D-20: the plan's pulse applies; a 30-second pulse charges 31 s as one minute")
    func planPulse() {
        let card = RateCard(plan: .suv, pulse: .thirtySeconds, rates: Self.card.rates)
        #expect(UsageRating.call(Self.call(.connected, seconds: 31), card: card)?.amount == Money(paise: 60))
        #expect(UsageRating.call(Self.call(.connected, seconds: 29), card: card)?.amount == Money(paise: 30))
    }

    @Test("D-21: an SMS costs its segments times the route's rate; UCS-2 segments are shorter")
    func sms() throws {
        let id = UUID()
        let long = NotificationDelivered(
            notificationID: id, channel: .sms, kind: .transactional, recipient: "+919876543210", text: String(repeating: "a", count: 161),
            deliveredAt: Date())
        let charge = try #require(UsageRating.notification(long, card: Self.card))
        #expect(charge.amount == Money(paise: 50))
        #expect(charge.quantity == 2)
        #expect(charge.source == "sms:\(id.uuidString.lowercased())")
        let hindi = NotificationDelivered(
            notificationID: UUID(), channel: .sms, kind: .promotional, recipient: "+919876543210", text: String(repeating: "न", count: 71),
            deliveredAt: Date())
        #expect(UsageRating.notification(hindi, card: Self.card)?.amount == Money(paise: 40))
    }

    @Test("A channel whose rate is zero writes no charge")
    func freeChannel() {
        let email = NotificationDelivered(
            notificationID: UUID(), channel: .email, kind: .transactional, recipient: "a@b.in", text: "hi", deliveredAt: Date())
        #expect(UsageRating.notification(email, card: Self.card) == nil)
    }

    @Test("BI-14: template conversations cost their category's rate; service conversations are free even if priced")
    func conversations() {
        func opened(_ category: WhatsAppConversationOpened.Category) -> WhatsAppConversationOpened {
            WhatsAppConversationOpened(
                conversationID: "c-\(category)", category: category, phoneNumberID: "pn", recipient: PhoneNumber(e164: "+919876543210")!,
                openedAt: Date())
        }
        #expect(UsageRating.conversation(opened(.marketing), card: Self.card)?.amount == Money(paise: 109))
        #expect(UsageRating.conversation(opened(.utility), card: Self.card)?.amount == Money(paise: 16))
        #expect(UsageRating.conversation(opened(.marketing), card: Self.card)?.source == "wa_conversation:c-marketing")
        #expect(UsageRating.conversation(opened(.service), card: Self.card) == nil)
    }

    @Test("D-15: a campaign's estimate is recipients times the category's conversation rate")
    func estimate() {
        #expect(UsageRating.campaignEstimate(recipients: 1_000, category: .marketing, card: Self.card) == Money.rupees(1_090))
        #expect(UsageRating.campaignEstimate(recipients: 0, category: .marketing, card: Self.card) == .zero)
    }
}

@testable import Campaigns
import Contracts
import Crypto
import Foundation
import ServiceKit
import Testing

@Suite("Campaign rules")
struct CampaignRulesTests {
    let sendAt = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("CA-38: a scheduled campaign can be cancelled until 5 minutes before its send time, not after", arguments: [
        (360.0, true), (300.0, true), (299.0, false), (240.0, false), (0.0, false), (-60.0, false),
    ])
    func ca38CancelWindow(secondsBefore: Double, allowed: Bool) {
        #expect(CampaignSchedule.canCancel(.scheduled, sendAt: sendAt, now: sendAt.addingTimeInterval(-secondsBefore)) == allowed)
    }

    @Test("CA-38, D-14: sending and finished campaigns are locked; a paused one can still be cancelled")
    func ca38Locked() {
        let early = sendAt.addingTimeInterval(-3_600)
        for status in [CampaignStatus.sending, .completed, .partiallySent, .failed, .cancelled, .draft] {
            #expect(!CampaignSchedule.canCancel(status, sendAt: sendAt, now: early), "\(status)")
        }
        #expect(CampaignSchedule.canCancel(.paused, sendAt: sendAt, now: early))
    }

    @Test("D-14, CA-37: a send time lies ahead and at most 90 days ahead")
    func d14SendTime() {
        let now = sendAt
        #expect(CampaignSchedule.check(sendAt: now.addingTimeInterval(-3_600), now: now) == .inThePast)
        #expect(CampaignSchedule.check(sendAt: now.addingTimeInterval(-30), now: now) == nil)
        #expect(CampaignSchedule.check(sendAt: now.addingTimeInterval(90 * 86_400), now: now) == nil)
        #expect(CampaignSchedule.check(sendAt: now.addingTimeInterval(90 * 86_400 + 1), now: now) == .tooFarAhead)
    }

    @Test("CA-43: only drafts and failed campaigns are deletable; D-14: drafts and paused campaigns are scheduled")
    func ca43Deletable() {
        #expect(CampaignStatus.allCases.filter(\.isDeletable) == [.draft, .failed])
        #expect(CampaignStatus.allCases.filter(\.canSchedule) == [.draft, .paused])
        #expect(CampaignStatus.allCases.filter(\.isFinal) == [.cancelled, .completed, .partiallySent, .failed])
    }

    @Test("D-12, CA-41: tier limits 1,000 / 10,000 / 100,000 / unlimited, configurable, and Meta's limit names")
    func d12Tiers() {
        let limits = TierLimits.standard
        #expect([1, 2, 3, 4].map(limits.limit(tier:)) == [1_000, 10_000, 100_000, nil])
        #expect(TierLimits(tier1: 250).limit(tier: 1) == 250)
        #expect(TierLimits.tier(metaLimit: "TIER_1K") == 1)
        #expect(TierLimits.tier(metaLimit: "TIER_10K") == 2)
        #expect(TierLimits.tier(metaLimit: "TIER_100K") == 3)
        #expect(TierLimits.tier(metaLimit: "TIER_UNLIMITED") == 4)
        #expect(TierLimits.tier(metaLimit: "TIER_42") == nil)
        #expect(TierLimits.tier(metaLimit: "TIER_250") == nil)
        #expect(DailyQuota.buckets == 25)
    }

    @Test("D-16, CA-40, CA-28: new recipients take what is left of the quota in upload order; the rest fail with the exact text")
    func d16Grant() {
        let hour: Int64 = 500_000
        var counts = Array(repeating: 0, count: 25)
        counts[23] = 400
        let buckets = DailyQuota.Buckets(counts: counts, hour: hour)
        let (granted, after) = DailyQuota.take(Array(repeating: .new, count: 1_000), from: buckets, limit: 1_000)
        #expect(granted.prefix(600).allSatisfy { $0 })
        #expect(granted.dropFirst(600).allSatisfy { !$0 })
        #expect(after.used == 1_000)
        #expect(after.counts[24] == 600)
        #expect(DailyQuota.take(Array(repeating: .new, count: 10), from: DailyQuota.Buckets(counts: [1_200] + Array(repeating: 0, count: 24), hour: hour), limit: 1_000).granted
            == Array(repeating: false, count: 10))
        #expect(DailyQuota.take(Array(repeating: .new, count: 5), from: buckets, limit: nil).granted == Array(repeating: true, count: 5))
        #expect(DailyQuota.exceededMessage == "Audience size exceeding remaining quota, some messages may not be delivered.")
    }

    @Test("D-12: unique recipients per rolling 24 hours; one reached already takes nothing and counts from now; replies take nothing")
    func d12UniqueRecipients() {
        let hour: Int64 = 500_000
        var counts = Array(repeating: 0, count: 25)
        counts[4] = 999  // reached 20 hours ago
        let buckets = DailyQuota.Buckets(counts: counts, hour: hour)
        // One unit left: the first new recipient takes it; one reached 20 hours ago and one replying go anyway;
        // the second new one does not.
        let (granted, after) = DailyQuota.take(
            [.new, .counted(hour: hour - 20), .replying, .new], from: buckets, limit: 1_000)
        #expect(granted == [true, true, true, false])
        // The counted recipient's unit moved from 20 hours ago to now: it no longer drops out in 4 hours.
        #expect(after.counts[4] == 998)
        #expect(after.counts[24] == 2)
        #expect(after.used == 1_000)
        #expect(after.shifted(to: hour + 5).used == 2)
        // Reached 25 hours ago is outside the window: a new recipient again.
        #expect(!buckets.holds(hour - 25))
        #expect(buckets.holds(hour - 24))
        #expect(DailyQuota.take([.counted(hour: hour - 25)], from: DailyQuota.Buckets(counts: counts, hour: hour), limit: 999).granted == [false])
    }

    @Test("D-12: the hourly buckets shift like campaigns.quota_shift: hours drop out after 25, a clock going back changes nothing")
    func d12BucketShift() {
        let counts = (1...25).map { $0 }
        let buckets = DailyQuota.Buckets(counts: counts, hour: 100)
        #expect(buckets.shifted(to: 100) == buckets)
        #expect(buckets.shifted(to: 99) == buckets)
        #expect(buckets.shifted(to: 101).counts == Array(2...25) + [0])
        #expect(buckets.shifted(to: 124).counts == [25] + Array(repeating: 0, count: 24))
        #expect(buckets.shifted(to: 125).used == 0)
        #expect(buckets.index(of: 100) == 24)
        #expect(buckets.index(of: 76) == 0)
        #expect(buckets.index(of: 75) == nil)
        #expect(buckets.index(of: 101) == nil)
    }

    @Test("Statuses only move forward: read is never followed by delivered, a failure after delivery is ignored, failed is final")
    func statusOrder() {
        #expect(MessageStatus.read.canMove(to: .delivered) == false)
        #expect(MessageStatus.delivered.canMove(to: .read))
        #expect(MessageStatus.sent.canMove(to: .read))
        #expect(MessageStatus.sent.canMove(to: .failed))
        #expect(MessageStatus.delivered.canMove(to: .failed) == false)
        #expect(MessageStatus.failed.canMove(to: .delivered) == false)
        #expect(MessageStatus.sent.canMove(to: .sent) == false)
        #expect(Set(MessageStatus.predecessors(of: .delivered)) == ["queued", "sending", "sent"])
        #expect(Set(MessageStatus.predecessors(of: .failed)) == ["queued", "sending", "sent"])
        #expect(Set(MessageStatus.predecessors(of: .read)) == ["queued", "sending", "sent", "delivered"])
    }

    @Test("CA-02, CA-05, CA-16, D-18: the service window is open for 24 hours after the last inbound message; after it only a template may be sent")
    func ca02Window() {
        let inbound = sendAt
        #expect(ServiceWindow.isOpen(lastInbound: inbound, now: inbound.addingTimeInterval(86_399)))
        #expect(!ServiceWindow.isOpen(lastInbound: inbound, now: inbound.addingTimeInterval(86_400)))
        #expect(!ServiceWindow.isOpen(lastInbound: nil, now: inbound))
        #expect(ServiceWindow.expiry(lastInbound: inbound) == inbound.addingTimeInterval(86_400))
    }

    @Test("CA-43: Sent %, Delivered %, Read % and Failed % count the stage reached; the final status")
    func ca43Percentages() {
        let counts = CampaignCounts(recipients: 1_000, queued: 0, sent: 300, delivered: 200, read: 100, failed: 400)
        #expect(counts.sentPercent == 60)
        #expect(counts.deliveredPercent == 30)
        #expect(counts.readPercent == 10)
        #expect(counts.failedPercent == 40)
        #expect(CampaignCounts(recipients: 3, sent: 1).sentPercent == 33.3)
        #expect(CampaignCounts().sentPercent == 0)
        #expect(counts.finalStatus(quotaOverflow: 400) == .partiallySent)
        #expect(counts.finalStatus(quotaOverflow: 0) == .completed)
        #expect(CampaignCounts(recipients: 10, queued: 1, sent: 9).finalStatus(quotaOverflow: 0) == nil)
        #expect(CampaignCounts(recipients: 10, failed: 10).finalStatus(quotaOverflow: 10) == .failed)
    }

    @Test("BI-07: a WhatsApp send needs an active account with at least ₹1 left once campaign holds are counted")
    func BI_07_balance_for_a_send() {
        #expect(WhatsAppBalance.allowsSend(status: "active", balance: .rupees(1), reserved: .zero))
        #expect(!WhatsAppBalance.allowsSend(status: "active", balance: Money(paise: 99), reserved: .zero))
        #expect(!WhatsAppBalance.allowsSend(status: "active", balance: .rupees(500), reserved: Money(paise: 49_901)))
        #expect(!WhatsAppBalance.allowsSend(status: "suspended", balance: .rupees(500), reserved: .zero))
    }

    @Test("D-17: throttling and provider trouble are retried with a growing pause; other errors fail the recipient")
    func d17Classify() {
        #expect(SendFailure.classify(httpStatus: 400, metaCode: 130429, message: "Rate limit hit") == .retry(code: "130429", message: "Rate limit hit"))
        #expect(SendFailure.classify(httpStatus: 400, metaCode: 131056, message: "pair rate") == .retry(code: "131056", message: "pair rate"))
        #expect(SendFailure.classify(httpStatus: 503, metaCode: nil, message: "down") == .retry(code: "http.503", message: "down"))
        #expect(SendFailure.classify(httpStatus: 429, metaCode: nil, message: "slow") == .retry(code: "http.429", message: "slow"))
        #expect(SendFailure.classify(httpStatus: 400, metaCode: 131026, message: "undeliverable") == .permanent(code: "131026", message: "undeliverable"))
        #expect(SendFailure.classify(httpStatus: 404, metaCode: nil, message: "no") == .permanent(code: "http.404", message: "no"))
        #expect(SendFailure.classify(httpStatus: 500, metaCode: 131000, message: "went wrong") == .retry(code: "131000", message: "went wrong"))
        #expect(SendFailure.classify(httpStatus: 500, metaCode: 100, message: "odd") == .retry(code: "100", message: "odd"))
        for status in [500, 502, 504] {
            guard case .unknown = SendFailure.classify(httpStatus: status, metaCode: nil, message: "HTTP \(status)") else {
                Issue.record("a bare \(status) may have been passed on: its outcome is unknown, never retried")
                continue
            }
        }
        #expect(SendFailure.backoff(attempt: 1) == .milliseconds(200))
        #expect(SendFailure.backoff(attempt: 3) == .milliseconds(800))
        #expect(SendFailure.backoff(attempt: 50) == .seconds(10))
    }

    @Test("D-17: 80 messages a second by default, at most 1,000; a bucket a tenth of a second deep refilled at the rate")
    func d17Rate() {
        #expect(SendRate.standard == 80)
        #expect(SendRate.isValid(1_000) && !SendRate.isValid(1_001) && !SendRate.isValid(0))
        #expect(SendRate.refill(tokens: 0, elapsed: 0.05, rate: 80) == 4)
        #expect(SendRate.refill(tokens: 0, elapsed: 0.5, rate: 80) == 8)
        #expect(SendRate.refill(tokens: 7, elapsed: 10, rate: 80) == 8)
        #expect(SendRate.refill(tokens: 5, elapsed: -1, rate: 80) == 5)
        #expect(SendRate.refill(tokens: 0, elapsed: 10, rate: 5) == 1)
        #expect(SendRate.take(wanted: 8, available: 5.9) == 5)
        #expect(SendRate.take(wanted: 8, available: 40) == 8)
        #expect(SendRate.chunk(rate: 80) == 8)
        #expect(SendRate.chunk(rate: 5) == 1)
    }

    @Test("Send jobs hold at most 50 messages, in order")
    func jobs() {
        let ids = (0..<120).map { _ in UUID() }
        let jobs = CampaignDispatch.jobs(ids)
        #expect(jobs.map(\.messageIDs.count) == [50, 50, 20])
        #expect(jobs.flatMap(\.messageIDs) == ids)
        #expect(CampaignDispatch.jobs([]).isEmpty)
    }

    @Test("Webhook signatures: X-Hub-Signature-256 is the hex HMAC-SHA256 of the raw body with the app secret")
    func signature() {
        let secret = SymmetricKey(data: Data("app-secret".utf8))
        let body = Data(#"{"object":"whatsapp_business_account","entry":[]}"#.utf8)
        let header = WebhookSignature.sign(body, key: secret)
        #expect(header.hasPrefix("sha256=") && header.count == 71)
        #expect(WebhookSignature.verify(header, body: body, key: secret))
        #expect(!WebhookSignature.verify(header, body: body + Data(" ".utf8), key: secret))
        #expect(!WebhookSignature.verify(header, body: body, key: SymmetricKey(data: Data("other".utf8))))
        #expect(!WebhookSignature.verify(nil, body: body, key: secret))
        #expect(!WebhookSignature.verify("sha256=zz", body: body, key: secret))
        #expect(!WebhookSignature.verify(String(header.dropFirst(7)), body: body, key: secret))
    }

    @Test("Webhook payloads: Meta's statuses, inbound messages and template updates decode; numeric template ids too")
    func payload() throws {
        let json = #"""
        {"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[
          {"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"1234"},
            "statuses":[{"id":"wamid.A","status":"delivered","timestamp":"1700000000","recipient_id":"919876543210",
              "conversation":{"id":"CONV","origin":{"type":"utility"}},"pricing":{"billable":true}}],
            "messages":[{"from":"919876543210","id":"wamid.B","timestamp":"1700000100","type":"text","text":{"body":"Hi"}}]}},
          {"field":"message_template_status_update","value":{"event":"APPROVED","message_template_id":594425479261596,"reason":"NONE"}},
          {"field":"template_category_update","value":{"message_template_id":"77","new_category":"MARKETING","previous_category":"UTILITY"}},
          {"field":"something_new","value":{"anything":[1,2,3]}}]}]}
        """#
        let payload = try JSONDecoder().decode(WebhookPayload.self, from: Data(json.utf8))
        let changes = payload.entry.flatMap(\.changes)
        #expect(changes.map(\.field) == ["messages", "message_template_status_update", "template_category_update", "something_new"])
        let status = try #require(changes[0].value.statuses?.first)
        #expect(status.status == "delivered" && status.conversation?.origin?.type == "utility")
        #expect(status.date == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(changes[0].value.messages?.first?.text?.body == "Hi")
        #expect(changes[1].value.messageTemplateID?.text == "594425479261596")
        #expect(changes[2].value.newCategory == "MARKETING")
    }

    @Test("Webhook payloads: an unreadable part is skipped, whatever its shape, and the rest is read")
    func lossyPayload() throws {
        let json = #"""
        {"object":"whatsapp_business_account","entry":[1,"x",null,{"changes":[7,{"field":"messages","value":{"statuses":[
          {"id":"wamid.bad"},42,{"id":"wamid.ok","status":"read","timestamp":"1700000000"}]}}]}]}
        """#
        let payload = try JSONDecoder().decode(WebhookPayload.self, from: Data(json.utf8))
        let changes = payload.entry.flatMap(\.changes)
        #expect(changes.map(\.field) == ["messages"])
        #expect(changes.first?.value.statuses?.map(\.id) == ["wamid.ok"])
    }
}

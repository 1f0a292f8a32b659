import Campaigns
import Contracts
import Foundation
import PostgresNIO
import ServiceKit
import Storage
import Testing

/// Issue 5 acceptance: campaigns under the tier quota (D-16, CA-40), credit (CA-39, D-15), cancellation (CA-38),
/// redelivered send jobs, and the provider's status webhooks.
/// Every Campaigns integration test, one at a time: replicas of different tests share the send-job queue, and a
/// test that stops its replicas mid-job would strand another test's messages in "sending" (the crash case).
@Suite("Campaigns integration", .serialized)
enum CampaignsIntegration {}

extension CampaignsIntegration {
@Suite("Campaigns sending", .serialized)
struct SendTests {
    static let quotaText = "Audience size exceeding remaining quota, some messages may not be delivered."

    /// Marks `used` recipients of the number's quota as used an hour ago ("already used 400 today").
    func use(_ used: Int, number: String, _ harness: CampaignsHarness) async throws {
        try await harness.database.query(
            """
            UPDATE campaigns.numbers SET quota_buckets = array_fill(0, ARRAY[23]) || \(used) || 0,
                quota_hour = floor(extract(epoch FROM now()) / 3600)::bigint
            WHERE id = \(UUID(uuidString: number)!)
            """)
    }

    @Test("CA-40, D-16, CA-48: a tier-1 number that used 400 today sends exactly 600 of 1,000; 400 fail with the exact text; partially_sent")
    func ca40QuotaSplit() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            try await use(400, number: number, harness)
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 1_000, base: 9_100_000_000)
            let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
            let scheduled = try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_now":true}"#)
            #expect(scheduled.status == 200, "\(scheduled.text)")
            let final = try await harness.finished(company, campaign: campaign)
            #expect(final["status"] as? String == "partially_sent")
            #expect(final["quota_granted"] as? Int == 600)

            let sent = harness.cloud.sent(from: phoneNumberID)
            #expect(sent.count == 600)
            #expect(Set(sent.map(\.to)).count == 600)
            // Upload order: the first 600 rows are the ones sent.
            #expect(Set(sent.map(\.to)) == Set((0..<600).map { "91\(9_100_000_000 + $0)" }))
            let campaignID = UUID(uuidString: campaign)!
            #expect(try await harness.count("SELECT count(*) FROM campaigns.messages WHERE campaign_id = '\(campaignID)' AND status = 'sent'") == 600)
            #expect(try await harness.count(
                "SELECT count(*) FROM campaigns.messages WHERE campaign_id = '\(campaignID)' AND status = 'failed' AND position > 600 AND error_message = '\(Self.quotaText)'") == 400)
            let metrics = try #require(final["metrics"] as? [String: any Sendable])
            #expect(metrics["sent_percent"] as? Double == 60)
            #expect(metrics["failed_percent"] as? Double == 40)

            // The quota is spent: the number's view says so, and the recipient report shows every row.
            let view = try await harness.call("GET", "/v1/whatsapp/numbers/\(number)", as: company)
            #expect((try view.json()["quota"] as? [String: any Sendable])?["remaining"] as? Int == 0)
            let report = try await harness.call("GET", "/v1/campaigns/\(campaign)/report", as: company)
            #expect(report.status == 200)
            let lines = report.text.split(whereSeparator: \.isNewline)
            #expect(lines.count == 1_001)
            #expect(lines.first?.hasPrefix("Row,Name,Phone Number,Status,Message ID,Error Code,Error,Failure Reason,") == true)
            #expect(lines.last?.hasPrefix("1000,Customer 1000,+919100000999,failed,,quota.exceeded,\"\(Self.quotaText)\",daily_quota,") == true, "CA-48")

            // D-15: the hold is released once the campaign ends.
            try await eventually(timeout: .seconds(20), "reservation released") {
                try await harness.count("SELECT count(*) FROM campaigns.campaigns WHERE id = '\(campaignID)' AND reservation_released_at IS NOT NULL") == 1
            }
            let holds = try await harness.billing.database.count(
                "SELECT count(*) FROM billing.reservations WHERE reference = 'campaign:\(campaign)' AND status = 'released'")
            #expect(holds == 1)
        }
    }

    @Test("D-14: a due campaign that fails to start for an error of its own waits a minute, and fails once its starts have failed for an hour, its credit hold given back; the campaigns due after it still start")
    func failingCampaignHoldsNoOneBack() async throws {
        try await withCampaigns { harness in
            let (company, number, _) = try await harness.company()
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 3, base: 9_200_000_000)
            let stuck = try await harness.campaign(company, number: number, template: template, audience: audience)
            let late = try await harness.campaign(company, number: number, template: template, audience: audience)
            let next = try await harness.campaign(company, number: number, template: template, audience: audience)
            // The first two campaigns' messages cannot be written: they fail to start every time they are tried.
            let name = "test_refuse_" + stuck.replacingOccurrences(of: "-", with: "")
            try await harness.database.query(
                """
                CREATE FUNCTION campaigns.\(unescaped: name)() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$
                """)
            try await harness.database.query(
                """
                CREATE TRIGGER \(unescaped: name) BEFORE INSERT ON campaigns.messages FOR EACH ROW
                WHEN (NEW.campaign_id IN ('\(unescaped: stuck)', '\(unescaped: late)')) EXECUTE FUNCTION campaigns.\(unescaped: name)()
                """)
            func dropTrigger() async {
                _ = try? await harness.database.query("DROP TRIGGER IF EXISTS \(unescaped: name) ON campaigns.messages")
                _ = try? await harness.database.query("DROP FUNCTION IF EXISTS campaigns.\(unescaped: name)()")
            }
            do {
                // Scheduled ahead, then made due in the past (the API takes no past time), so both are claimed before
                // the third; the second as if its starts had been failing for two hours.
                let ahead = Timestamp.format(Date().addingTimeInterval(3_600))
                for campaign in [stuck, late] {
                    let scheduled = try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_at":"\#(ahead)"}"#)
                    #expect(scheduled.status == 200, "\(scheduled.text)")
                }
                try await harness.database.query(
                    """
                    UPDATE campaigns.campaigns SET send_at = now() - CASE WHEN id = \(UUID(uuidString: late)!) THEN interval '2 hours' ELSE interval '1 minute' END,
                        start_failed_at = CASE WHEN id = \(UUID(uuidString: late)!) THEN now() - interval '2 hours' END
                    WHERE id IN (\(UUID(uuidString: stuck)!), \(UUID(uuidString: late)!))
                    """)
                #expect(try await harness.call("POST", "/v1/campaigns/\(next)/schedule", as: company, json: #"{"send_now":true}"#).status == 200)
                let final = try await harness.finished(company, campaign: next, timeout: .seconds(30))
                #expect(final["status"] as? String == "completed")
                let gaveUp = try await harness.finished(company, campaign: late, timeout: .seconds(30))
                #expect(gaveUp["status"] as? String == "failed")
                #expect(gaveUp["failure_code"] as? String == "campaign.start_failed")
                try await eventually(timeout: .seconds(20), "the failed start's credit hold is given back") {
                    try await harness.count(
                        "SELECT count(*) FROM campaigns.campaigns WHERE id = '\(late)' AND reservation_id IS NOT NULL AND reservation_released_at IS NOT NULL") == 1
                }
                let waiting = try await harness.status(company, campaign: stuck)
                #expect(waiting["status"] as? String == "scheduled")
                #expect(try await harness.count(
                    "SELECT count(*) FROM campaigns.campaigns WHERE id = '\(stuck)' AND next_attempt_at > now() AND start_failed_at IS NOT NULL") == 1)
            } catch {
                await dropTrigger()
                throw error
            }
            await dropTrigger()
        }
    }

    @Test("A send whose sender died mid-request fails as send.outcome_unknown and its failed status is announced; the late answer of that request announces nothing more")
    func stuckSendIsAnnounced() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            // The request stays with the provider long enough for the sweeper to take the sender for dead.
            harness.cloud.set(phoneNumberID) { $0.latency = .seconds(6) }
            let template = try await harness.approvedTemplate(company)
            let tap = try await EventTap.open("stuck-sends", bindings: ["whatsapp.message.status"])
            let queued = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, json: #"{"number_id":"\#(number)","to":"9811122277","template_id":"\#(template)","values":{"body":["A"]}}"#)
            #expect(queued.status == 202, "\(queued.text)")
            let message = try #require(try queued.json()["id"] as? String)
            func status() async throws -> String? {
                try await harness.call("GET", "/v1/whatsapp/messages/\(message)", as: company).json()["status"] as? String
            }
            try await eventually(timeout: .seconds(20), "the request is under way") { try await status() == "sending" }
            // As a sender that died ten minutes ago leaves it.
            try await harness.database.query("UPDATE campaigns.messages SET claimed_at = now() - interval '1 hour' WHERE id = \(UUID(uuidString: message)!)")
            try await eventually(timeout: .seconds(20), "the sweeper failed it") { try await status() == "failed" }
            // The request's answer comes after the sweep: the message stays failed, and nothing says it was sent.
            try await eventually(timeout: .seconds(20), "the provider answered") { !harness.cloud.sent(from: phoneNumberID).isEmpty }
            try await Task.sleep(for: .seconds(8))
            #expect(try await status() == "failed")
            let announced = try await tap.events(matching: { $0.mentions(message) }, linger: .seconds(2))
            let statuses = try announced.map { try $0.decode(WhatsAppMessageStatus.self).data }
            #expect(statuses.map(\.status) == [.failed], "\(statuses.map(\.status))")
            #expect(statuses.first?.errorCode == "send.outcome_unknown")
            await tap.close()
        }
    }

    @Test("D-12: a second campaign to the same audience the same day takes no more quota; new recipients still cannot pass the limit")
    func d12UniqueRecipients() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            try await use(980, number: number, harness)
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 20, base: 9_870_000_000)
            func run(_ audience: String) async throws -> [String: any Sendable] {
                let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
                #expect(try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_now":true}"#).status == 200)
                return try await harness.finished(company, campaign: campaign)
            }
            func remaining() async throws -> Int? {
                let view = try await harness.call("GET", "/v1/whatsapp/numbers/\(number)", as: company).json()
                return (view["quota"] as? [String: any Sendable])?["remaining"] as? Int
            }
            let first = try await run(audience)
            #expect(first["status"] as? String == "completed")
            #expect(try await remaining() == 0)
            // The same 20 people again: all sent, none counted twice.
            let second = try await run(audience)
            #expect(second["status"] as? String == "completed")
            #expect(second["quota_granted"] as? Int == 20)
            #expect(harness.cloud.sent(from: phoneNumberID).count == 40)
            #expect(try await remaining() == 0)
            // Five people the number has not reached: the quota is spent.
            let others = try await harness.audience(company, count: 5, base: 9_880_000_000)
            let third = try await run(others)
            #expect(third["status"] as? String == "failed")
            #expect(third["quota_granted"] as? Int == 0)
            #expect(harness.cloud.sent(from: phoneNumberID).count == 40)
            // One message through the API: to someone reached today it goes; to someone new it is 429.
            let again = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company,
                json: #"{"number_id":"\#(number)","to":"+919870000003","template_id":"\#(template)","values":{"body":["Asha"]}}"#)
            #expect(again.status == 202, "\(again.text)")
            let stranger = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company,
                json: #"{"number_id":"\#(number)","to":"+919890000000","template_id":"\#(template)","values":{"body":["Ravi"]}}"#)
            #expect(stranger.status == 429)
            #expect(try stranger.errorCode() == "quota.exceeded")
            #expect(try await harness.count("SELECT count(*) FROM campaigns.quota_recipients WHERE number_id = '\(number)'") == 20)
        }
    }

    @Test("D-16: thirty sends at once on two replicas to new recipients with ten left: exactly ten pass, the quota never overshoots")
    func d16NoOvershoot() async throws {
        try await withCampaigns(replicas: 2) { harness in
            let (company, number, _) = try await harness.company()
            try await use(990, number: number, harness)
            let template = try await harness.approvedTemplate(company)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<30 {
                    let replica = harness.replicas[index % 2]
                    group.addTask {
                        try await replica.call(
                            "POST", "/v1/whatsapp/messages", as: company,
                            json: #"{"number_id":"\#(number)","to":"+91989\#(1_000_000 + index)","template_id":"\#(template)","values":{"body":["A"]}}"#).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 202 }.count == 10)
            #expect(statuses.filter { $0 == 429 }.count == 20)
            let view = try await harness.call("GET", "/v1/whatsapp/numbers/\(number)", as: company).json()
            #expect((view["quota"] as? [String: any Sendable])?["used"] as? Int == 1_000)
        }
    }

    @Test("D-17: a number that was idle sends at its rate from the first second (20/s: at most 20 and the bucket's 2 in any second)")
    func d17NoBurstAfterIdle() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company(rate: 20)
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 60, base: 9_860_000_000)
            let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
            // Idle long enough for any bucket to fill.
            try await Task.sleep(for: .seconds(1.5))
            #expect(try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_now":true}"#).status == 200)
            #expect(try await harness.finished(company, campaign: campaign)["status"] as? String == "completed")
            let times = harness.cloud.sent(from: phoneNumberID).map(\.at).sorted()
            #expect(times.count == 60)
            // The most accepted within one second of any send. 22 is the bound; the rest of the margin is for
            // requests that reach the fake unevenly on a loaded machine. A one-second bucket gave 40.
            let busiest = times.indices.map { start in times[start...].prefix { $0 - times[start] < .seconds(1) }.count }.max() ?? 0
            #expect(busiest <= 28, "\(busiest) in one second")
            #expect(times.last! - times.first! > .seconds(2), "60 at 20/s take close to three seconds")
        }
    }

    @Test("D-16: four senders on two replicas with every send job delivered three times still send each recipient once")
    func redeliveredJobs() async throws {
        try await withCampaigns(replicas: 2, senders: 4) { harness in
            let (company, number, phoneNumberID) = try await harness.company(rate: 300)
            try await use(400, number: number, harness)
            harness.cloud.set(phoneNumberID) { $0.latency = .milliseconds(2) }
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 1_000, base: 9_200_000_000)
            let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
            let campaignID = UUID(uuidString: campaign)!
            let tap = try await EventTap.open("dispatch", bindings: [EventType.campaignDispatch.rawValue])
            let scheduled = try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_now":true}"#)
            #expect(scheduled.status == 200, "\(scheduled.text)")
            // Taken as soon as the first jobs arrive, so their copies go in while the originals are being worked on.
            let jobs = try await tap.events(matching: { $0.header.correlationID == campaign }, timeout: .seconds(30), linger: .zero)
            await tap.close()
            try #require(!jobs.isEmpty)
            // The broker delivering up to 12 jobs again, twice, while the first copies are being worked on.
            for _ in 0..<2 {
                for job in jobs.prefix(12) {
                    try await harness.database.query(
                        """
                        INSERT INTO campaigns.outbox (event_id, event_type, correlation_id, occurred_at, body)
                        VALUES (gen_random_uuid(), \(job.header.type.rawValue), \(campaign), now(), \(String(decoding: job.body, as: UTF8.self)))
                        """)
                }
            }
            let final = try await harness.finished(company, campaign: campaign)
            #expect(final["status"] as? String == "partially_sent")
            // Let the duplicate jobs drain (the relay deletes what it published), then count.
            try await eventually(timeout: .seconds(30), "duplicate jobs drained") {
                try await harness.count("SELECT count(*) FROM campaigns.outbox WHERE correlation_id = '\(campaign)'") == 0
            }
            try await Task.sleep(for: .seconds(1))
            let sent = harness.cloud.sent(from: phoneNumberID)
            #expect(sent.count == 600)
            #expect(Set(sent.map(\.to)).count == 600)
            #expect(try await harness.count("SELECT count(*) FROM campaigns.messages WHERE campaign_id = '\(campaignID)' AND status = 'sent'") == 600)
        }
    }

    @Test("D-16: a send job's messages are claimed as requests free up, so a sender that dies leaves the unrequested ones queued")
    func claimsInWaves() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            // Every request takes 3 s: the sender holds its 16 requests in flight and claims nothing more meanwhile.
            harness.cloud.set(phoneNumberID) { $0.latency = .seconds(3) }
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 50, base: 9_800_000_000)
            let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
            let campaignID = try #require(UUID(uuidString: campaign))
            #expect(try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_now":true}"#).status == 200)
            func count(_ status: String) async throws -> Int {
                try await harness.count("SELECT count(*) FROM campaigns.messages WHERE campaign_id = '\(campaignID)' AND status = '\(status)'")
            }
            try await eventually(timeout: .seconds(30), "the first requests are under way") { try await count("sending") > 0 }
            try await Task.sleep(for: .seconds(1))
            // What a crash now would leave: the messages in flight in "sending" (failed later as send.outcome_unknown,
            // since they may have gone out), the other 34 still queued for the redelivered job.
            #expect(try await count("sending") == 16)
            #expect(try await count("queued") == 34)
            let final = try await harness.finished(company, campaign: campaign)
            #expect(final["status"] as? String == "completed")
            #expect(harness.cloud.sent(from: phoneNumberID).count == 50)
            #expect(try await count("sent") == 50)
        }
    }

    @Test("D-15: the conversation of a status that outran the sender recording the message id names the campaign, announced once the id is recorded")
    func earlyConversation() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            // Meta has the message (and sends its webhook) 6 s before the sender hears back and records the id.
            harness.cloud.set(phoneNumberID) { $0.answerDelay = .seconds(6) }
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 1, base: 9_850_000_000)
            let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
            let tap = try await EventTap.open("early-conversations", bindings: ["whatsapp.conversation.opened"])
            #expect(try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_now":true}"#).status == 200)
            try await eventually(timeout: .seconds(30), "the provider has the message") { !harness.cloud.sent(from: phoneNumberID).isEmpty }
            let sent = try #require(harness.cloud.sent(from: phoneNumberID).first)
            let conversation = "CONV-EARLY-\(campaign)"
            for status in ["sent", "delivered"] {
                let reply = try await harness.webhook(CampaignsHarness.messageStatus(
                    phoneNumberID: phoneNumberID, providerID: sent.providerMessageID, status: status, at: Int(Date().timeIntervalSince1970),
                    recipient: sent.to, conversation: conversation))
                #expect(reply.status == 200, "\(reply.text)")
            }
            #expect(try await harness.count(
                "SELECT count(*) FROM campaigns.messages WHERE provider_message_id = '\(sent.providerMessageID)'") == 0, "the status came first")
            let opened = try await tap.events(matching: { $0.mentions(conversation) }, timeout: .seconds(20))
            #expect(opened.count == 1)
            #expect(try opened.first?.decode(WhatsAppConversationOpened.self).data.campaignID?.description.lowercased() == campaign.lowercased())
            await tap.close()
            let final = try await harness.finished(company, campaign: campaign)
            #expect(final["status"] as? String == "completed")
            #expect(try await harness.count(
                "SELECT count(*) FROM campaigns.messages WHERE provider_message_id = '\(sent.providerMessageID)' AND status = 'delivered'") == 1)
            #expect(try await harness.count("SELECT count(*) FROM campaigns.early_conversations WHERE conversation_id = '\(conversation)'") == 0)

            // A message whose id is never recorded (its sender died mid-request): the conversation waits, and once no
            // send can still record the id, the sweep announces it without a campaign (the provider charges for it).
            let orphan = "CONV-ORPHAN-\(campaign)"
            let orphanTap = try await EventTap.open("orphan-conversations", bindings: ["whatsapp.conversation.opened"])
            #expect(try await harness.webhook(CampaignsHarness.messageStatus(
                phoneNumberID: phoneNumberID, providerID: "wamid.never-recorded-\(campaign)", status: "sent",
                at: Int(Date().timeIntervalSince1970), recipient: sent.to, conversation: orphan)).status == 200)
            #expect(try await harness.count("SELECT count(*) FROM campaigns.early_conversations WHERE conversation_id = '\(orphan)'") == 1)
            try await harness.database.query(
                "UPDATE campaigns.early_conversations SET received_at = now() - interval '1 hour' WHERE conversation_id = \(orphan)")
            let announced = try await orphanTap.events(matching: { $0.mentions(orphan) }, timeout: .seconds(20))
            #expect(announced.count == 1)
            #expect(try announced.first?.decode(WhatsAppConversationOpened.self).data.campaignID == nil)
            await orphanTap.close()
            #expect(try await harness.count("SELECT count(*) FROM campaigns.early_conversations WHERE conversation_id = '\(orphan)'") == 0)
        }
    }

    @Test("An accepted message gets its provider id within about a second while another request of its job is still under way")
    func outcomesRecordedWhileOthersWait() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            // The second recipient's request takes 10 s (as a throttled one retried would): the first must not wait for it.
            harness.cloud.set(phoneNumberID) { $0.slowRecipients["919890000001"] = .seconds(10) }
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 2, base: 9_890_000_000)
            let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
            let campaignID = try #require(UUID(uuidString: campaign))
            let started = ContinuousClock.now
            #expect(try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_now":true}"#).status == 200)
            try await eventually(timeout: .seconds(8), "the first message recorded as sent") {
                try await harness.count(
                    "SELECT count(*) FROM campaigns.messages WHERE campaign_id = '\(campaignID)' AND status = 'sent' AND provider_message_id IS NOT NULL") == 1
            }
            #expect(ContinuousClock.now - started < .seconds(8))
            #expect(try await harness.count("SELECT count(*) FROM campaigns.messages WHERE campaign_id = '\(campaignID)' AND status = 'sending'") == 1)
            #expect(try await harness.finished(company, campaign: campaign)["status"] as? String == "completed")
        }
    }

    @Test("CA-38, CA-37: cancelling 6 minutes before the send time succeeds, 4 minutes before is 409 campaign.locked")
    func ca38Cancel() async throws {
        try await withCampaigns { harness in
            let (company, number, _) = try await harness.company()
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 5, base: 9_300_000_000)
            for (minutes, expected) in [(6, 200), (4, 409)] {
                let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
                let at = Timestamp.format(Date().addingTimeInterval(TimeInterval(minutes * 60)))
                let scheduled = try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_at":"\#(at)"}"#)
                #expect(scheduled.status == 200, "\(scheduled.text)")
                #expect(try scheduled.json()["status"] as? String == "scheduled")
                let cancelled = try await harness.call("POST", "/v1/campaigns/\(campaign)/cancel", as: company)
                #expect(cancelled.status == expected, "\(minutes) min: \(cancelled.text)")
                if expected == 409 {
                    #expect(try cancelled.errorCode() == "campaign.locked")
                    #expect(try await harness.status(company, campaign: campaign)["status"] as? String == "scheduled")
                } else {
                    #expect(try cancelled.json()["status"] as? String == "cancelled")
                }
            }
            // CA-43: a cancelled campaign is not deletable; a draft is.
            let draft = try await harness.campaign(company, number: number, template: template, audience: audience)
            #expect(try await harness.call("DELETE", "/v1/campaigns/\(draft)", as: company).status == 204)
        }
    }

    @Test("CA-39, D-15, BI-13: credit that was there at scheduling but not at execution fails the campaign with nothing sent")
    func ca39CreditAtExecution() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company(balance: .rupees(1_500))
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 1_000, base: 9_400_000_000)
            let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
            let at = Timestamp.format(Date().addingTimeInterval(3))
            let scheduled = try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_at":"\#(at)"}"#)
            #expect(scheduled.status == 200, "\(scheduled.text)")
            // Before it runs, another hold takes almost all of the wallet (1,000 utility recipients need ₹160).
            let token = try await harness.billing.token(company)
            let hold = try await harness.billing.call("POST", "/v1/billing/reservations", token: token, json: #"{"amount":\#(Money.rupees(1_450).paise)}"#)
            #expect(hold.status == 201, "\(hold.text)")
            let final = try await harness.finished(company, campaign: campaign)
            #expect(final["status"] as? String == "failed")
            #expect(final["failure_code"] as? String == "credit.insufficient")
            #expect(harness.cloud.sent(from: phoneNumberID).isEmpty)
            #expect(try await harness.count("SELECT count(*) FROM campaigns.messages WHERE campaign_id = '\(UUID(uuidString: campaign)!)'") == 0)
            // CA-43: a failed campaign can be deleted.
            #expect(try await harness.call("DELETE", "/v1/campaigns/\(campaign)", as: company).status == 204)
        }
    }

    @Test("CA-39: scheduling without enough credit is 402 INSUFFICIENTBALANCE and the campaign stays a draft")
    func ca39CreditAtScheduling() async throws {
        try await withCampaigns { harness in
            let (company, number, _) = try await harness.company(balance: .zero)
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 10, base: 9_500_000_000)
            let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
            let scheduled = try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_now":true}"#)
            #expect(scheduled.status == 402, "\(scheduled.text)")
            #expect(try scheduled.errorCode() == "INSUFFICIENTBALANCE")
            #expect(try await harness.status(company, campaign: campaign)["status"] as? String == "draft")
        }
    }

    @Test("D-17: throttled requests are retried, never dropped; a permanent provider error fails that recipient with its code")
    func d17Throttling() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            harness.cloud.set(phoneNumberID) {
                $0.throttleFirst = 25
                $0.undeliverable = ["919600000003"]
            }
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 40, base: 9_600_000_000)
            let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
            _ = try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_now":true}"#)
            let final = try await harness.finished(company, campaign: campaign)
            #expect(final["status"] as? String == "completed")
            #expect(harness.cloud.throttled(phoneNumberID) == 25)
            #expect(harness.cloud.sent(from: phoneNumberID).count == 39)
            let rows = try await harness.database.query(
                "SELECT error_code, status FROM campaigns.messages WHERE campaign_id = \(UUID(uuidString: campaign)!) AND recipient = '+919600000003'")
            var found: (String?, String)?
            for try await row in rows.decode((String?, String).self) { found = row }
            #expect(found?.0 == "131026")
            #expect(found?.1 == "failed")
        }
    }

    @Test("Webhooks: a bad signature is 401 and stores nothing; out-of-order statuses end in the right final state; CA-04: conversations open side by side")
    func webhookStatuses() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 3, base: 9_700_000_000)
            let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
            _ = try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_now":true}"#)
            _ = try await harness.finished(company, campaign: campaign)
            let sent = harness.cloud.sent(from: phoneNumberID).sorted { $0.to < $1.to }
            try #require(sent.count == 3)
            let now = Int(Date().timeIntervalSince1970)

            // Forged: refused, nothing changes.
            let forged = try await harness.webhook(
                CampaignsHarness.messageStatus(phoneNumberID: phoneNumberID, providerID: sent[0].providerMessageID, status: "read", at: now, recipient: sent[0].to),
                secret: "not-the-app-secret")
            #expect(forged.status == 401)
            #expect(try forged.errorCode() == "webhook.signature_invalid")
            #expect(try await harness.count("SELECT count(*) FROM campaigns.messages WHERE status = 'read' AND provider_message_id = '\(sent[0].providerMessageID)'") == 0)

            // read, then a late delivered and sent: stays read, with delivered_at stamped.
            for status in ["read", "delivered", "sent"] {
                let reply = try await harness.webhook(
                    CampaignsHarness.messageStatus(phoneNumberID: phoneNumberID, providerID: sent[0].providerMessageID, status: status, at: now, recipient: sent[0].to))
                #expect(reply.status == 200, "\(reply.text)")
            }
            // delivered, then failed: a failure after delivery is ignored. failed then delivered: stays failed.
            for status in ["delivered", "failed"] {
                _ = try await harness.webhook(
                    CampaignsHarness.messageStatus(phoneNumberID: phoneNumberID, providerID: sent[1].providerMessageID, status: status, at: now, recipient: sent[1].to))
            }
            for status in ["failed", "delivered", "read"] {
                _ = try await harness.webhook(
                    CampaignsHarness.messageStatus(phoneNumberID: phoneNumberID, providerID: sent[2].providerMessageID, status: status, at: now, recipient: sent[2].to))
            }
            func state(_ id: String) async throws -> (String, Bool) {
                let rows = try await harness.database.query(
                    "SELECT status, delivered_at IS NOT NULL FROM campaigns.messages WHERE provider_message_id = \(id)")
                for try await row in rows.decode((String, Bool).self) { return row }
                return ("missing", false)
            }
            #expect(try await state(sent[0].providerMessageID) == ("read", true))
            #expect(try await state(sent[1].providerMessageID) == ("delivered", true))
            #expect(try await state(sent[2].providerMessageID).0 == "failed")

            // D-15, D-18: the conversation a `sent` carries (after the sender recorded `sent` from the provider's
            // answer) names the campaign, so Billing draws its charge from the campaign's hold.
            let tap = try await EventTap.open("conversations", bindings: ["whatsapp.conversation.opened"])
            let conversation = "CONV-\(campaign)"
            let withConversation = CampaignsHarness.messageStatus(
                phoneNumberID: phoneNumberID, providerID: sent[1].providerMessageID, status: "sent", at: now, recipient: sent[1].to,
                conversation: conversation)
            #expect(try await harness.webhook(withConversation).status == 200)
            let opened = try await tap.events(matching: { $0.mentions(conversation) }, timeout: .seconds(20))
            #expect(opened.count == 1)
            #expect(try opened.first?.decode(WhatsAppConversationOpened.self).data.campaignID?.description.lowercased() == campaign.lowercased())
            // CA-04: another conversation with the same customer, open at the same time, is its own, billed by its type.
            let second = "CONV2-\(campaign)"
            let utility = CampaignsHarness.messageStatus(
                phoneNumberID: phoneNumberID, providerID: sent[1].providerMessageID, status: "delivered", at: now, recipient: sent[1].to,
                conversation: second, origin: "utility")
            #expect(try await harness.webhook(utility).status == 200)
            let alongside = try await tap.events(matching: { $0.mentions(second) }, timeout: .seconds(20))
            #expect(alongside.count == 1)
            #expect(try alongside.first?.decode(WhatsAppConversationOpened.self).data.category == .utility)
            #expect(try opened.first?.decode(WhatsAppConversationOpened.self).data.category == .marketing)
            #expect(try await harness.count(
                "SELECT count(*) FROM campaigns.conversations WHERE conversation_id IN ('\(conversation)', '\(second)')") == 2)
            await tap.close()

            // A timestamp out of any range (it trapped binding the date) is taken as now; a NUL in a customer's text
            // is dropped instead of refusing the whole post with the statuses in it.
            let farFuture = CampaignsHarness.messageStatus(
                phoneNumberID: phoneNumberID, providerID: sent[0].providerMessageID, status: "read", at: now, recipient: sent[0].to)
                .replacingOccurrences(of: #""timestamp":"\#(now)""#, with: #""timestamp":"1e13""#)
            #expect(farFuture.contains("1e13"))
            #expect(try await harness.webhook(farFuture).status == 200)
            let inboundID = "wamid.in.nul.\(campaign)"
            let withNUL = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"\#(phoneNumberID)"},"messages":[{"from":"\#(sent[0].to)","id":"\#(inboundID)","timestamp":"\#(now)","type":"text","text":{"body":"Hi\u0000 there"}}]}}]}]}"#
            #expect(try await harness.webhook(withNUL).status == 200)
            #expect(try await harness.count("SELECT count(*) FROM campaigns.inbound_messages WHERE provider_message_id = '\(inboundID)' AND text = 'Hi there'") == 1)

            let view = try await harness.status(company, campaign: campaign)
            let metrics = try #require(view["metrics"] as? [String: any Sendable])
            #expect(metrics["read_percent"] as? Double == 33.3)
            #expect(metrics["delivered_percent"] as? Double == 66.7)
            #expect(metrics["failed_percent"] as? Double == 33.3)
        }
    }
}
}

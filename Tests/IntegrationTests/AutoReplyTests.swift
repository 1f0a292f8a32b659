import Campaigns
import Contracts
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage
import Testing

/// CA-52 and CA-53 against a running Campaigns: the canned-message library, sending one with its variables filled,
/// and a number's Greeting and Away replies to customers who start a conversation.
@Suite("WhatsApp canned messages and automatic replies")
struct AutoReplyTests {
    /// Business hours every day from half an hour before to half an hour after now, as a clock in Kolkata reads it
    /// (two entries when that crosses midnight). The same clock times in New York are ten and a half hours away, so a
    /// number in New York's time zone is closed now.
    static func hoursAroundNow() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Kolkata")!
        let parts = calendar.dateComponents([.hour, .minute], from: Date())
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        func clock(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
        func entry(_ opens: Int, _ closes: Int) -> String { #"{"days":[1,2,3,4,5,6,7],"opens":"\#(clock(opens))","closes":"\#(clock(closes))"}"# }
        var entries = [entry(max(0, minute - 30), min(1_439, minute + 30))]
        if minute - 30 < 0 { entries.append(entry(1_440 + minute - 30, 1_439)) }
        if minute + 30 > 1_439 { entries.append(entry(0, minute + 30 - 1_440)) }
        return "[" + entries.joined(separator: ",") + "]"
    }

    /// The texts queued to one contact, oldest first.
    static func texts(_ harness: CampaignsHarness, company: CompanyID, to contact: String) async throws -> [String] {
        let rows = try await harness.database.query(
            """
            SELECT payload->>'text' FROM campaigns.messages
            WHERE company_id = \(company.uuid) AND recipient = \(contact) AND kind = 'text' ORDER BY created_at, id
            """)
        var texts: [String] = []
        for try await text in rows.decode(String?.self) { texts.append(text ?? "") }
        return texts
    }

    @Test("CA-52: managers keep the library, agents search and send it; the variables fill in; a shortcut is the company's once")
    func ca52CannedMessages() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            #expect(try await harness.call("PATCH", "/v1/whatsapp/numbers/\(number)", as: company, json: #"{"display_name":"Aurora Lamps"}"#).status == 200)
            let byAgent = try await harness.call(
                "POST", "/v1/whatsapp/canned-messages", as: company, role: .agent, json: #"{"shortcut":"thanks","text":"Thank you!"}"#)
            #expect(byAgent.status == 403)
            let created = try await harness.call(
                "POST", "/v1/whatsapp/canned-messages", as: company, role: .manager,
                json: #"{"shortcut":"/thanks","text":"Thank you {{contact.name}}, {{ business.name }} will call {{contact.phone}} today."}"#)
            #expect(created.status == 201, "\(created.text)")
            #expect(try created.json()["shortcut"] as? String == "thanks")
            let id = try #require(try created.json()["id"] as? String)
            let again = try await harness.call(
                "POST", "/v1/whatsapp/canned-messages", as: company, role: .manager, json: #"{"shortcut":"thanks","text":"Other"}"#)
            #expect(again.status == 409)
            #expect(try again.errorCode() == "canned_message.shortcut_taken")
            let unknown = try await harness.call(
                "POST", "/v1/whatsapp/canned-messages", as: company, role: .manager, json: #"{"shortcut":"order","text":"Order {{order.id}}"}"#)
            #expect(unknown.status == 422)
            #expect(try unknown.errorCode() == "canned_message.variable.unknown")
            // Another company may use the same shortcut.
            let (other, _, _) = try await harness.company()
            #expect(try await harness.call(
                "POST", "/v1/whatsapp/canned-messages", as: other, role: .manager, json: #"{"shortcut":"thanks","text":"Hi"}"#).status == 201)
            #expect(try await harness.call("GET", "/v1/whatsapp/canned-messages/\(id)", as: other).status == 404)

            // Agents search the library by shortcut or text; LIKE's wildcards are taken literally.
            _ = try await harness.call("POST", "/v1/whatsapp/canned-messages", as: company, role: .manager, json: #"{"shortcut":"hours","text":"We are open 9 to 6, 100% of weekdays."}"#)
            let found = try await harness.call("GET", "/v1/whatsapp/canned-messages?search=CALL", as: company, role: .agent).json()
            #expect((found["items"] as? [[String: any Sendable]])?.compactMap { $0["shortcut"] as? String } == ["thanks"])
            let percent = try await harness.call("GET", "/v1/whatsapp/canned-messages?search=%25", as: company, role: .agent).json()
            #expect((percent["items"] as? [[String: any Sendable]])?.compactMap { $0["shortcut"] as? String } == ["hours"])

            // Sent inside the window with the contact's profile name, the number's name and the contact's number.
            let closed = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, role: .agent, json: #"{"number_id":"\#(number)","to":"+919811100021","canned_id":"\#(id)"}"#)
            #expect(try closed.errorCode() == "window.closed")
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100021", name: "Meera", text: "Hello")).status == 200)
            let sent = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, role: .agent, json: #"{"number_id":"\#(number)","to":"+919811100021","canned_id":"\#(id)"}"#)
            #expect(sent.status == 202, "\(sent.text)")
            #expect(try await Self.texts(harness, company: company, to: "+919811100021") == ["Thank you Meera, Aurora Lamps will call +919811100021 today."])
            let foreign = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: other, role: .agent, json: #"{"number_id":"\#(number)","to":"+919811100021","canned_id":"\#(id)"}"#)
            #expect(try foreign.errorCode() == "canned_message.unknown")
            try await eventually(timeout: .seconds(20), "the canned message reaches the provider") {
                harness.cloud.sent(from: phoneNumberID).contains { $0.to == "919811100021" && $0.body.contains("Thank you Meera") }
            }

            let renamed = try await harness.call(
                "PUT", "/v1/whatsapp/canned-messages/\(id)", as: company, role: .manager, json: #"{"shortcut":"hours","text":"x"}"#)
            #expect(try renamed.errorCode() == "canned_message.shortcut_taken")
            #expect(try await harness.call("DELETE", "/v1/whatsapp/canned-messages/\(id)", as: company, role: .manager).status == 204)
            #expect(try await harness.call("GET", "/v1/whatsapp/canned-messages/\(id)", as: company).status == 404)
        }
    }

    @Test("D-29, CA-53: a new number's business hours start on the company's clock (CallRouter's setting); an older setting arriving later changes nothing; the number's own zone wins")
    func test_D_29_new_number_on_the_company_clock() async throws {
        try await withCampaigns { harness in
            let company = CompanyID()
            let waba = String(Int.random(in: 1_000_000_000...9_999_999_999))
            #expect(try await harness.call("PUT", "/v1/whatsapp/account", as: company, json: #"{"waba_id":"\#(waba)"}"#).status == 200)
            let publisher = try TestEnvironment.connection("campaigns-time-zone")
            publisher.start()
            try await publisher.waitUntilConnected()
            let now = Date()
            let events = [
                try EncodedEnvelope(Envelope(companyID: company, data: CompanySettingsChanged(timeZone: "America/New_York", changedAt: now))),
                try EncodedEnvelope(Envelope(
                    companyID: company, data: CompanySettingsChanged(timeZone: "Asia/Tokyo", changedAt: now.addingTimeInterval(-60)))),
            ]
            for event in events {
                try await publisher.publishUntilConfirmed([event])
                try await eventually("the setting was taken") {
                    try await harness.count(
                        "SELECT count(*) FROM campaigns.inbox WHERE consumer = 'company-time-zones' AND event_id = '\(event.header.id.uuid)'") == 1
                }
            }
            await publisher.shutdown()
            func connect(_ extra: String = "") async throws -> [String: any Sendable] {
                let phoneNumberID = String(Int.random(in: 100_000_000_000...999_999_999_999))
                harness.cloud.register(phoneNumberID, in: waba)
                let display = "+9170\(Int.random(in: 10_000_000...99_999_999))"
                return try await harness.create(
                    "/v1/whatsapp/numbers", as: company, json: #"{"phone_number_id":"\#(phoneNumberID)","display_number":"\#(display)"\#(extra)}"#)
            }
            #expect(try await connect()["time_zone"] as? String == "America/New_York")
            #expect(try await connect(#","time_zone":"Europe/London""#)["time_zone"] as? String == "Europe/London")
        }
    }

    @Test("CA-53: a customer who starts a conversation gets the Greeting inside business hours and the Away reply outside, once per conversation; none while a chatbot answers or after STOP")
    func ca53AutoReplies() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            func canned(_ shortcut: String, _ text: String) async throws -> String {
                let reply = try await harness.call(
                    "POST", "/v1/whatsapp/canned-messages", as: company, role: .manager, json: #"{"shortcut":"\#(shortcut)","text":"\#(text)"}"#)
                return try #require(try reply.json()["id"] as? String)
            }
            let greeting = try await canned("greeting", "Hi {{contact.name}}, how can we help?")
            #expect(try await harness.call("PUT", "/v1/whatsapp/canned-messages/\(greeting)", as: company, role: .agent, json: #"{"shortcut":"g","text":"x"}"#).status == 403)
            let away = try await canned("away", "We are closed now and reply from 9 am.")
            let settings = #"{"greeting_id":"\#(greeting)","away_id":"\#(away)"}"#
            let early = try await harness.call("PUT", "/v1/whatsapp/numbers/\(number)/auto-reply", as: company, json: settings)
            #expect(early.status == 422)
            #expect(try early.errorCode() == "auto_reply.business_hours_missing")

            let hours = Self.hoursAroundNow()
            #expect(try await harness.call(
                "PATCH", "/v1/whatsapp/numbers/\(number)", as: company, json: #"{"time_zone":"America/New_York","business_hours":\#(hours)}"#).status == 200)
            #expect(try await harness.call("PUT", "/v1/whatsapp/numbers/\(number)/auto-reply", as: company, role: .manager, json: settings).status == 403)
            let set = try await harness.call("PUT", "/v1/whatsapp/numbers/\(number)/auto-reply", as: company, json: settings)
            #expect(set.status == 200, "\(set.text)")
            #expect(try set.json()["active"] as? Bool == true)
            let inUse = try await harness.call("DELETE", "/v1/whatsapp/canned-messages/\(away)", as: company, role: .manager)
            #expect(inUse.status == 409)
            #expect(try inUse.errorCode() == "canned_message.in_use")
            #expect(try await harness.call("DELETE", "/v1/whatsapp/canned-messages/\(away)", as: company, role: .agent).status == 403)

            // Outside business hours: the Away reply, once per conversation, also when Meta repeats the post.
            let first = CampaignsHarness.inbound(phoneNumberID, from: "919811100031", text: "Hello", id: "wamid.in.away.\(number)")
            #expect(try await harness.webhook(first).status == 200)
            #expect(try await harness.webhook(first).status == 200)
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100031", text: "Anyone there?")).status == 200)
            #expect(try await Self.texts(harness, company: company, to: "+919811100031") == ["We are closed now and reply from 9 am."])
            try await eventually(timeout: .seconds(20), "the Away reply reaches the provider") {
                harness.cloud.sent(from: phoneNumberID).contains { $0.to == "919811100031" && $0.body.contains("We are closed") }
            }
            // A message that reaches us more than 15 minutes after it was written gets no reply.
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100036", text: "Hello", at: Date().addingTimeInterval(-16 * 60))).status == 200)
            #expect(try await Self.texts(harness, company: company, to: "+919811100036") == [])

            // Inside business hours (the number's clock in Kolkata), from a customer whose last message is over 24 hours
            // old: the Greeting, with the profile name; without a profile name, the number stands in.
            #expect(try await harness.call("PATCH", "/v1/whatsapp/numbers/\(number)", as: company, json: #"{"time_zone":"Asia/Kolkata"}"#).status == 200)
            let stale = try await harness.count(
                """
                WITH w AS (
                    INSERT INTO campaigns.windows (number_id, contact, company_id, last_inbound_at)
                    VALUES ('\(number)', '+919811100032', '\(company.uuid)', now() - interval '25 hours') RETURNING 1)
                SELECT count(*) FROM w
                """)
            #expect(stale == 1)
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100032", name: "Ravi", text: "Hi")).status == 200)
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100033", name: nil, text: "Hi")).status == 200)
            #expect(try await Self.texts(harness, company: company, to: "+919811100032") == ["Hi Ravi, how can we help?"])
            #expect(try await Self.texts(harness, company: company, to: "+919811100033") == ["Hi +919811100033, how can we help?"])

            // A customer whose first words are STOP gets no reply, nor does a reaction; nor anyone while a chatbot
            // answers the number (a later change of the replies alone keeps the chatbot's flag).
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100034", text: "STOP")).status == 200)
            #expect(try await Self.texts(harness, company: company, to: "+919811100034") == [])
            let reaction = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"\#(phoneNumberID)"},"messages":[{"from":"919811100037","id":"wamid.in.reaction.\#(number)","timestamp":"\#(Int(Date().timeIntervalSince1970))","type":"reaction","reaction":{"message_id":"wamid.x","emoji":"👍"}}]}}]}]}"#
            #expect(try await harness.webhook(reaction).status == 200)
            #expect(try await Self.texts(harness, company: company, to: "+919811100037") == [])
            let bot = try await harness.call(
                "PUT", "/v1/whatsapp/numbers/\(number)/auto-reply", as: company,
                json: #"{"greeting_id":"\#(greeting)","away_id":"\#(away)","chatbot_active":true}"#)
            #expect(try bot.json()["active"] as? Bool == false)
            let replies = try await harness.call("PUT", "/v1/whatsapp/numbers/\(number)/auto-reply", as: company, json: #"{"greeting_id":"\#(greeting)"}"#)
            #expect(try replies.json()["chatbot_active"] as? Bool == true)
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100035", text: "Hello")).status == 200)
            #expect(try await Self.texts(harness, company: company, to: "+919811100035") == [])

            // A reply naming another company's canned message is refused with its field.
            let (other, _, _) = try await harness.company(balance: .zero)
            let foreign = try await harness.call(
                "POST", "/v1/whatsapp/canned-messages", as: other, role: .manager, json: #"{"shortcut":"away","text":"x"}"#)
            let foreignID = try #require(try foreign.json()["id"] as? String)
            let refused = try await harness.call(
                "PUT", "/v1/whatsapp/numbers/\(number)/auto-reply", as: company, json: #"{"away_id":"\#(foreignID)"}"#)
            #expect(refused.status == 422)
            #expect(try refused.errorCode() == "canned_message.unknown")
            #expect(try (refused.json()["error"] as? [String: any Sendable])?["field"] as? String == "away_id")
            #expect(try await harness.call("GET", "/v1/whatsapp/numbers/\(number)/auto-reply", as: company).json()["chatbot_active"] as? Bool == true)
        }
    }
    @Test("CA-53, BI-07: below ₹1 an automatic reply fails like any Live Chat message, and nothing reaches Meta")
    func ca53AutoReplyNeedsBalance() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company(balance: .zero)
            let reply = try await harness.call(
                "POST", "/v1/whatsapp/canned-messages", as: company, role: .manager, json: #"{"shortcut":"away","text":"We are closed."}"#)
            let away = try #require(try reply.json()["id"] as? String)
            let closed = #"{"time_zone":"America/New_York","business_hours":\#(Self.hoursAroundNow())}"#
            #expect(try await harness.call("PATCH", "/v1/whatsapp/numbers/\(number)", as: company, json: closed).status == 200)
            #expect(try await harness.call("PUT", "/v1/whatsapp/numbers/\(number)/auto-reply", as: company, json: #"{"away_id":"\#(away)"}"#).status == 200)
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100041", text: "Hello")).status == 200)
            try await eventually(timeout: .seconds(20), "the reply fails for the balance") {
                try await harness.count(
                    """
                    SELECT count(*) FROM campaigns.messages
                    WHERE company_id = '\(company.uuid)' AND recipient = '+919811100041' AND status = 'failed' AND error_code = 'INSUFFICIENTBALANCE'
                    """) == 1
            }
            #expect(!harness.cloud.sent(from: phoneNumberID).contains { $0.to == "919811100041" })
        }
    }
}

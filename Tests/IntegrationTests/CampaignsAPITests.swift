import Campaigns
import Contracts
import Foundation
import Messaging
import PostgresNIO
import ServiceKit
import Storage
import Testing

/// Issue 5: templates through the API and the provider's review, the messaging API and the service window, the
/// send requests of other services, and scheduled campaigns pausing on low balance.
extension CampaignsIntegration {
@Suite("Campaigns API", .serialized)
struct APITests {
    @Test("CA-13…CA-25: a template with several problems is 422 with every violation; CA-09: a submitted template is 409 on edit; D-11, CA-08: review by webhook; CA-12: a paused one is not sent")
    func templates() async throws {
        try await withCampaigns { harness in
            let (company, number, _) = try await harness.company()
            let bad = try await harness.call(
                "POST", "/v1/templates", as: company,
                json: #"{"name":"Order Update","language":"hi","category":"utility","header":{"type":"text","text":"Hi {{1}} {{2}}","samples":["a","b"]},"body":{"text":"Hello {{1}} and {{3}}","samples":["x"]},"footer":{"text":"Bye {{1}}"},"buttons":[{"type":"quick_reply","text":"Yes"},{"type":"url","text":"Go","url":"https://bit.ly/x"}]}"#)
            #expect(bad.status == 422)
            #expect(try bad.errorCode() == "template.invalid")
            let codes = Set(((try bad.json()["error"] as? [String: any Sendable])?["violations"] as? [[String: any Sendable]] ?? []).compactMap { $0["code"] as? String })
            for expected in ["template.name.invalid", "template.language.unsupported", "template.header.too_many_variables", "template.variables.not_sequential",
                             "template.samples.missing", "template.footer.variable", "template.buttons.mixed", "template.url.shortened"] {
                #expect(codes.contains(expected), "missing \(expected) in \(codes)")
            }

            // A dry run answers the same without saving.
            let dry = try await harness.call("POST", "/v1/templates/validate", as: company, json: #"{"name":"ok_name","language":"en","category":"utility","body":{"text":"Hi"}}"#)
            #expect(dry.status == 200)
            #expect(try dry.json()["valid"] as? Bool == true)

            // CA-11: a draft changes freely; CA-09: once submitted, any edit is 409 pointing to a new template.
            let draft = try await harness.create(
                "/v1/templates", as: company, json: #"{"name":"promo_one","language":"en_US","category":"marketing","body":{"text":"Hi {{1}}","samples":["Asha"]},"buttons":[{"type":"copy_code","code":"SALE25"}]}"#)
            let id = try #require(draft["id"] as? String)
            let edited = try await harness.call(
                "PUT", "/v1/templates/\(id)", as: company, json: #"{"name":"promo_one","language":"en_US","category":"marketing","body":{"text":"Hello {{1}}","samples":["Asha"]}}"#)
            #expect(edited.status == 200, "\(edited.text)")
            let submitted = try await harness.call("POST", "/v1/templates/\(id)/submit", as: company)
            #expect(submitted.status == 200, "\(submitted.text)")
            #expect(try submitted.json()["status"] as? String == "pending")
            #expect(harness.cloud.submittedTemplates.contains("promo_one"))
            let locked = try await harness.call(
                "PUT", "/v1/templates/\(id)", as: company, json: #"{"name":"promo_one","language":"en_US","category":"marketing","body":{"text":"Changed"}}"#)
            #expect(locked.status == 409)
            #expect(try locked.errorCode() == "template.immutable")
            #expect(locked.text.contains("create a new template"))

            // The provider approves, then re-categorises (CA-08): the template keeps working under the new category.
            let providerID = try #require(try submitted.json()["provider_template_id"] as? String)
            #expect(try await harness.webhook(CampaignsHarness.templateStatus(providerID, "APPROVED")).status == 200)
            let recategorised = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"template_category_update","value":{"message_template_id":"\#(providerID)","new_category":"UTILITY","previous_category":"MARKETING"}}]}]}"#
            #expect(try await harness.webhook(recategorised).status == 200)
            let shown = try await harness.call("GET", "/v1/templates/\(id)", as: company).json()
            #expect(shown["status"] as? String == "approved")
            #expect(shown["category"] as? String == "utility")
            // Approved templates are not deletable; rejected ones are.
            #expect(try await harness.call("DELETE", "/v1/templates/\(id)", as: company).status == 409)
            // CA-12: once Meta pauses it, nothing is sent with it until it is approved again.
            let send = #"{"number_id":"\#(number)","to":"+919811122233","template_id":"\#(id)","values":{"body":["Asha"]}}"#
            #expect(try await harness.webhook(CampaignsHarness.templateStatus(providerID, "PAUSED")).status == 200)
            let paused = try await harness.call("POST", "/v1/whatsapp/messages", as: company, json: send)
            #expect(paused.status == 422)
            #expect(try paused.errorCode() == "template.not_approved")
            #expect(try await harness.webhook(CampaignsHarness.templateStatus(providerID, "APPROVED")).status == 200)
            #expect(try await harness.call("POST", "/v1/whatsapp/messages", as: company, json: send).status == 202)
            // An agent cannot write templates (D-27).
            let agent = try await harness.call("POST", "/v1/templates", as: company, role: .agent, json: #"{"name":"x","language":"en","category":"utility","body":{"text":"x"}}"#)
            #expect(agent.status == 403)
        }
    }

    @Test("D-11: a submission whose answer was lost (the service stopped between its commits) is settled from the provider's list, read page by page")
    func lostSubmissions() async throws {
        try await withCampaigns { harness in
            let (company, _, _) = try await harness.company()
            var waba = ""
            for try await id in try await harness.database.query(
                "SELECT waba_id FROM campaigns.companies WHERE company_id = \(company.uuid)").decode(String.self) { waba = id }
            func draft(_ name: String) async throws -> String {
                try #require(try await harness.create(
                    "/v1/templates", as: company,
                    json: #"{"name":"\#(name)","language":"en","category":"utility","body":{"text":"Hi {{1}}","samples":["Asha"]}}"#)["id"] as? String)
            }
            let reached = try await draft("lost_reached_\(Int.random(in: 1_000...9_999))")
            let never = try await draft("lost_never_\(Int.random(in: 1_000...9_999))")
            let reachedName = try #require(try await harness.call("GET", "/v1/templates/\(reached)", as: company).json()["name"] as? String)
            // What a crash after "pending" and before the provider's answer was recorded leaves, an hour ago.
            try await harness.database.query(
                """
                UPDATE campaigns.templates SET status = 'pending', submitted_at = now() - interval '1 hour'
                WHERE id = ANY(\([UUID(uuidString: reached)!, UUID(uuidString: never)!]))
                """)
            let providerID = String(Int.random(in: 100_000_000_000...999_999_999_999))
            // Meta matches names partly: 120 others whose names contain this one come first, so it is on the second page.
            for index in 0..<120 {
                harness.cloud.hold(.init(id: "9\(index)", name: "\(reachedName)_v\(index)", language: "en", status: "APPROVED", category: "UTILITY"), in: waba)
            }
            harness.cloud.hold(.init(id: providerID, name: reachedName, language: "en", status: "APPROVED", category: "UTILITY"), in: waba)
            func state(_ id: String) async throws -> (String?, String?) {
                let view = try await harness.call("GET", "/v1/templates/\(id)", as: company).json()
                return (view["status"] as? String, view["provider_template_id"] as? String)
            }
            try await eventually(timeout: .seconds(20), "both settled") {
                let settled = try await state(reached)
                let reset = try await state(never)
                return settled == ("approved", providerID) && reset.0 == "draft"
            }
            #expect(try await state(never).1 == nil)
            // A draft renamed to another template's name and language is 409 template.exists on the name (it was the
            // generic resource.conflict).
            let other = try await draft("rename_target_\(Int.random(in: 1_000...9_999))")
            let renamed = try await harness.call(
                "PUT", "/v1/templates/\(other)", as: company,
                json: #"{"name":"\#(reachedName)","language":"en","category":"utility","body":{"text":"Hi {{1}}","samples":["Asha"]}}"#)
            #expect(renamed.status == 409)
            #expect(try renamed.errorCode() == "template.exists")
            // The one that never reached the provider can be submitted again.
            let again = try await harness.call("POST", "/v1/templates/\(never)/submit", as: company)
            #expect(again.status == 200, "\(again.text)")
            #expect(try again.json()["status"] as? String == "pending")
        }
    }

    @Test("D-11: a submission the provider may have taken (a 5xx) stays pending (202) and is settled from its list; a throttled one is a draft again (503)")
    func unansweredSubmissions() async throws {
        try await withCampaigns { harness in
            let (company, _, _) = try await harness.company()
            func draft(_ name: String) async throws -> String {
                try #require(try await harness.create(
                    "/v1/templates", as: company,
                    json: #"{"name":"\#(name)","language":"en","category":"utility","body":{"text":"Hi {{1}}","samples":["Asha"]}}"#)["id"] as? String)
            }
            let takenName = "unanswered_\(Int.random(in: 1_000...9_999))"
            let throttledName = "throttled_\(Int.random(in: 1_000...9_999))"
            let taken = try await draft(takenName)
            let throttled = try await draft(throttledName)
            harness.cloud.answer(templateNamed: takenName, with: .errorAfterTaking)
            harness.cloud.answer(templateNamed: throttledName, with: .throttled)

            let unanswered = try await harness.call("POST", "/v1/templates/\(taken)/submit", as: company)
            #expect(unanswered.status == 202, "\(unanswered.text)")
            #expect(try unanswered.json()["status"] as? String == "pending")
            #expect(!(try unanswered.json()["provider_template_id"] is String))
            let again = try await harness.call("POST", "/v1/templates/\(taken)/submit", as: company)
            #expect(try again.errorCode() == "template.already_submitted", "submitted once only: the provider has it")
            #expect(harness.cloud.submittedTemplates.filter { $0 == takenName }.count == 1)

            let refused = try await harness.call("POST", "/v1/templates/\(throttled)/submit", as: company)
            #expect(refused.status == 503)
            #expect(try refused.errorCode() == "provider.unavailable")
            #expect(try await harness.call("GET", "/v1/templates/\(throttled)", as: company).json()["status"] as? String == "draft")

            // Two minutes on, the sweep finds it in the provider's list.
            try await harness.database.query(
                "UPDATE campaigns.templates SET submitted_at = now() - interval '3 minutes' WHERE id = \(UUID(uuidString: taken)!)")
            try await eventually(timeout: .seconds(20), "settled from the provider's list") {
                let view = try await harness.call("GET", "/v1/templates/\(taken)", as: company).json()
                return view["status"] as? String == "pending" && view["provider_template_id"] is String
            }
        }
    }

    @Test("CA-01, CA-03, CA-05, CA-16, CA-59, D-18: free-form needs an open window (422 window.closed), also once the last reply is over 24 h old, when a template still goes; an inbound message opens it; CA-46 trails; BI-07 balance")
    func messaging() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            let template = try await harness.approvedTemplate(company)
            let closed = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, role: .agent, json: #"{"number_id":"\#(number)","to":"+919811122233","text":"Hello"}"#)
            #expect(closed.status == 422)
            #expect(try closed.errorCode() == "window.closed")

            // The customer writes: the window opens (CA-02) and whatsapp.inbound is published.
            let tap = try await EventTap.open("inbound", bindings: [EventType.whatsappInbound.rawValue])
            let inboundID = "wamid.in.\(UUID().uuidString.lowercased())"
            let inbound = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"\#(phoneNumberID)"},"contacts":[{"wa_id":"919811122233","profile":{"name":"Asha"}}],"messages":[{"from":"919811122233","id":"\#(inboundID)","timestamp":"\#(Int(Date().timeIntervalSince1970))","type":"text","text":{"body":"Hi"}}]}}]}]}"#
            #expect(try await harness.webhook(inbound).status == 200)
            #expect(try await harness.webhook(inbound).status == 200)
            #expect(try await harness.count("SELECT count(*) FROM campaigns.inbound_messages WHERE provider_message_id = '\(inboundID)'") == 1)
            let announced = try await tap.events(matching: { $0.mentions(inboundID) }, timeout: .seconds(20))
            await tap.close()
            #expect(announced.count == 1)
            let open = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, role: .agent, json: #"{"number_id":"\#(number)","to":"+919811122233","text":"Hello"}"#)
            #expect(open.status == 202, "\(open.text)")
            let messageID = try #require(try open.json()["id"] as? String)
            try await eventually(timeout: .seconds(20), "the free-form message is sent") {
                try await harness.call("GET", "/v1/whatsapp/messages/\(messageID)", as: company).json()["status"] as? String == "sent"
            }
            #expect(harness.cloud.sent(from: phoneNumberID).contains { $0.to == "919811122233" && $0.type == "text" })

            // CA-16: a customer whose last message is more than 24 hours old may be sent templates only.
            let stale = try await harness.count(
                """
                WITH w AS (
                    INSERT INTO campaigns.windows (number_id, contact, company_id, last_inbound_at)
                    VALUES ('\(number)', '+919811122266', '\(company.uuid)', now() - interval '24 hours 1 minute') RETURNING 1)
                SELECT count(*) FROM w
                """)
            #expect(stale == 1)
            let late = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, role: .agent, json: #"{"number_id":"\#(number)","to":"+919811122266","text":"Hello"}"#)
            #expect(late.status == 422)
            #expect(try late.errorCode() == "window.closed")
            let lateTemplate = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company,
                json: #"{"number_id":"\#(number)","to":"+919811122266","template_id":"\#(template)","values":{"body":["Meera"]}}"#)
            #expect(lateTemplate.status == 202, "\(lateTemplate.text)")

            // A template through the API with a Message Trail tag (CA-46); it takes one recipient of the quota.
            let tagged = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company,
                json: #"{"number_id":"\#(number)","to":"9811122244","template_id":"\#(template)","values":{"body":["Ravi"]},"trail":"OrderStatusUpdates"}"#)
            #expect(tagged.status == 202, "\(tagged.text)")
            try await eventually(timeout: .seconds(20), "the trail shows the message as sent") {
                let page = try await harness.call("GET", "/v1/whatsapp/trails/OrderStatusUpdates", as: company).json()
                return ((page["items"] as? [[String: any Sendable]])?.first?["status"] as? String) == "sent"
            }
            let csv = try await harness.call("GET", "/v1/whatsapp/trails/OrderStatusUpdates?format=csv", as: company)
            #expect(csv.text.contains("+919811122244,sent"))
            // A template with a missing value is refused before anything is queued; CA-33: India only.
            let missing = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, json: #"{"number_id":"\#(number)","to":"9811122255","template_id":"\#(template)"}"#)
            #expect(missing.status == 422)
            #expect(try missing.errorCode() == "template.values_missing")
            let foreign = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, json: #"{"number_id":"\#(number)","to":"+14155550100","template_id":"\#(template)","values":{"body":["A"]}}"#)
            #expect(foreign.status == 422)
            #expect(try foreign.errorCode() == "recipient.not_indian")
            let landline = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, json: #"{"number_id":"\#(number)","to":"+915876543210","template_id":"\#(template)","values":{"body":["A"]}}"#)
            #expect(landline.status == 422, "CA-33, D-13: a +91 number whose subscriber part does not start with 6 to 9 is no mobile")
            #expect(try landline.errorCode() == "recipient.not_indian")
            let long = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, json: #"{"number_id":"\#(number)","to":"+9198765432100","template_id":"\#(template)","values":{"body":["A"]}}"#)
            #expect(try long.errorCode() == "phone.invalid", "an Indian number has ten national digits")

            // BI-07: a wallet below ₹1 is 402 INSUFFICIENTBALANCE.
            let (broke, brokeNumber, _) = try await harness.company(balance: .zero)
            let refused = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: broke, json: #"{"number_id":"\#(brokeNumber)","to":"+919811122233","text":"Hello"}"#)
            #expect(refused.status == 402)
            #expect(try refused.errorCode() == "INSUFFICIENTBALANCE")
        }
    }

    @Test("CA-47: with MM Lite on, marketing templates go through Meta's marketing_messages endpoint, the rest through messages; the switch is the admin's, once")
    func ca47MMLite() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            let utility = try await harness.approvedTemplate(company)
            let created = try await harness.call(
                "POST", "/v1/templates", as: company,
                json: #"{"name":"diwali_offer_\#(Int.random(in: 1_000...9_999))","language":"en","category":"marketing","body":{"text":"Hi {{1}}, 20% off this week.","samples":["Asha"]}}"#)
            let marketing = try #require(try created.json()["id"] as? String)
            let submitted = try await harness.call("POST", "/v1/templates/\(marketing)/submit", as: company)
            let providerID = try #require(try submitted.json()["provider_template_id"] as? String)
            #expect(try await harness.webhook(CampaignsHarness.templateStatus(providerID, "APPROVED")).status == 200)
            let waba = try #require(try await harness.call("GET", "/v1/whatsapp/account", as: company).json()["waba_id"] as? String)
            #expect(try await harness.call("PUT", "/v1/whatsapp/account", as: company, role: .manager, json: #"{"waba_id":"\#(waba)","mm_lite":true}"#).status == 403)
            let on = try await harness.call("PUT", "/v1/whatsapp/account", as: company, json: #"{"waba_id":"\#(waba)","mm_lite":true}"#)
            #expect(try on.json()["mm_lite"] as? Bool == true)
            // Setting the account again without the switch leaves it on.
            let again = try await harness.call("PUT", "/v1/whatsapp/account", as: company, json: #"{"waba_id":"\#(waba)"}"#)
            #expect(try again.json()["mm_lite"] as? Bool == true)

            for (template, to) in [(marketing, "+919811100051"), (utility, "+919811100052")] {
                let sent = try await harness.call(
                    "POST", "/v1/whatsapp/messages", as: company, json: #"{"number_id":"\#(number)","to":"\#(to)","template_id":"\#(template)","values":{"body":["Asha"]}}"#)
                #expect(sent.status == 202, "\(sent.text)")
            }
            try await eventually(timeout: .seconds(20), "both templates reach the provider") {
                harness.cloud.sent(from: phoneNumberID).count == 2
            }
            let routes = harness.cloud.sent(from: phoneNumberID).map { "\($0.to) \($0.endpoint)" }.sorted()
            #expect(routes == ["919811100051 marketing_messages", "919811100052 messages"])

            // Off again: marketing templates take the Cloud API's messages endpoint.
            let off = try await harness.call("PUT", "/v1/whatsapp/account", as: company, json: #"{"waba_id":"\#(waba)","mm_lite":false}"#)
            #expect(try off.json()["mm_lite"] as? Bool == false)
            _ = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, json: #"{"number_id":"\#(number)","to":"+919811100053","template_id":"\#(marketing)","values":{"body":["Asha"]}}"#)
            try await eventually(timeout: .seconds(20), "the third template reaches the provider") {
                harness.cloud.sent(from: phoneNumberID).contains { $0.to == "919811100053" && $0.endpoint == "messages" }
            }
        }
    }

    @Test("CA-54: buttons, lists and media cards go inside the window only, as Meta's interactive shapes; a list reply is the customer's text; bad menus are 422 with the field")
    func ca54InteractiveMessages() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            let buttons = #"{"type":"buttons","body":"How was the delivery?","buttons":[{"id":"good","title":"Good"},{"id":"bad","title":"Bad"}]}"#
            let closed = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, role: .agent,
                json: #"{"number_id":"\#(number)","to":"+919811100011","interactive":\#(buttons)}"#)
            #expect(closed.status == 422)
            #expect(try closed.errorCode() == "window.closed")

            // The customer writes, then taps a row of the list the business sends.
            let now = Int(Date().timeIntervalSince1970)
            let hello = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"\#(phoneNumberID)"},"messages":[{"from":"919811100011","id":"wamid.in.hello.\#(number)","timestamp":"\#(now)","type":"text","text":{"body":"Hi"}}]}}]}]}"#
            #expect(try await harness.webhook(hello).status == 200)
            // One agent answers the chat (CA-50: the first to answer owns it).
            let agent = UserID()
            let sent = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, user: agent, role: .agent,
                json: #"{"number_id":"\#(number)","to":"+919811100011","interactive":\#(buttons)}"#)
            #expect(sent.status == 202, "\(sent.text)")
            #expect(try sent.json()["kind"] as? String == "interactive")
            let list = #"{"type":"list","body":"Which team?","button":"Teams","sections":[{"rows":[{"id":"sales","title":"Sales"},{"id":"help","title":"Support"}]}]}"#
            let listed = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, user: agent, role: .agent,
                json: #"{"number_id":"\#(number)","to":"+919811100011","interactive":\#(list)}"#)
            #expect(listed.status == 202, "\(listed.text)")
            for reply in [sent, listed] {
                let id = try #require(try reply.json()["id"] as? String)
                try await eventually(timeout: .seconds(20), "the interactive message is sent") {
                    try await harness.call("GET", "/v1/whatsapp/messages/\(id)", as: company).json()["status"] as? String == "sent"
                }
            }
            let wire = harness.cloud.sent(from: phoneNumberID).filter { $0.to == "919811100011" }
            #expect(wire.map(\.type) == ["interactive", "interactive"])
            let first = try #require(try JSONSerialization.jsonObject(with: Data((wire.first?.body ?? "").utf8)) as? [String: Any])
            let interactive = try #require(first["interactive"] as? [String: Any])
            #expect(interactive["type"] as? String == "button")
            let action = try #require(interactive["action"] as? [String: Any])
            let replies = try #require(action["buttons"] as? [[String: Any]])
            #expect(replies.compactMap { ($0["reply"] as? [String: Any])?["id"] as? String } == ["good", "bad"])
            #expect(wire.last?.body.contains(#""button":"Teams""#) == true)

            let tapID = "wamid.in.tap.\(number)"
            let tap = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"\#(phoneNumberID)"},"messages":[{"from":"919811100011","id":"\#(tapID)","timestamp":"\#(now)","type":"interactive","interactive":{"type":"list_reply","list_reply":{"id":"help","title":"Support"}}}]}}]}]}"#
            let inbound = try await EventTap.open("interactive-replies", bindings: [EventType.whatsappInbound.rawValue])
            #expect(try await harness.webhook(tap).status == 200)
            #expect(try await harness.count("SELECT count(*) FROM campaigns.inbound_messages WHERE provider_message_id = '\(tapID)' AND text = 'Support'") == 1)
            let announced = try await inbound.events(matching: { $0.mentions(tapID) }, timeout: .seconds(20))
            await inbound.close()
            let reply = try #require(try announced.first?.decode(WhatsAppInbound.self).data)
            #expect(reply.replyID == "help")
            #expect(reply.text == "Support")
            #expect(reply.kind == "interactive")

            // A menu of eleven options is refused before anything is queued, naming the field.
            let rows = (1...11).map { #"{"id":"r\#($0)","title":"Option \#($0)"}"# }.joined(separator: ",")
            let tooMany = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, role: .agent,
                json: #"{"number_id":"\#(number)","to":"+919811100011","interactive":{"type":"list","body":"Pick","button":"Menu","sections":[{"rows":[\#(rows)]}]}}"#)
            #expect(tooMany.status == 422)
            #expect(try tooMany.errorCode() == "interactive.options.count")
            #expect(try (tooMany.json()["error"] as? [String: any Sendable])?["field"] as? String == "interactive.sections")
            let both = try await harness.call(
                "POST", "/v1/whatsapp/messages", as: company, role: .agent,
                json: #"{"number_id":"\#(number)","to":"+919811100011","text":"Hi","interactive":\#(buttons)}"#)
            #expect(both.status == 400)
            #expect(try both.errorCode() == "message.kind.ambiguous")
            #expect(try await harness.count("SELECT count(*) FROM campaigns.messages WHERE recipient = '+919811100011' AND company_id = '\(company.uuid)'") == 2)
        }
    }

    @Test("A send retried with the same Idempotency-Key queues one message and answers it each time, also when the copies race; another company's same key is its own; a malformed key is refused")
    func idempotentSend() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            let template = try await harness.approvedTemplate(company)
            let json = #"{"number_id":"\#(number)","to":"9811122288","template_id":"\#(template)","values":{"body":["A"]}}"#
            let token = try await harness.api.token(company, user: UserID(), role: .owner)
            func send(_ key: String, token: String = token, json: String = json) async throws -> ServiceClient.Reply {
                try await harness.api.call("POST", "/v1/whatsapp/messages", token: token, json: json, headers: ["Idempotency-Key": key])
            }
            let key = "order-4711-" + UUID().uuidString
            let first = try await send(key)
            #expect(first.status == 202, "\(first.text)")
            let id = try #require(try first.json()["id"] as? String)
            // Retried in sequence and five at once: the same message every time.
            #expect(try await send(key).json()["id"] as? String == id)
            let racing = try await withThrowingTaskGroup(of: ServiceClient.Reply.self) { group in
                for _ in 0..<5 { group.addTask { try await send(key) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(racing.map(\.status) == Array(repeating: 202, count: 5))
            #expect(try Set(racing.map { try $0.json()["id"] as? String }) == [id])
            // A new race on a fresh key: one message whichever copy wins.
            let fresh = "order-4712-" + UUID().uuidString
            let copies = try await withThrowingTaskGroup(of: ServiceClient.Reply.self) { group in
                for _ in 0..<5 { group.addTask { try await send(fresh) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(copies.map(\.status) == Array(repeating: 202, count: 5), "\(copies.map(\.text))")
            #expect(try Set(copies.map { try $0.json()["id"] as? String }).count == 1)
            #expect(try await harness.count(
                "SELECT count(*) FROM campaigns.messages WHERE company_id = '\(company.uuid)' AND recipient = '+919811122288'") == 2)
            try await eventually(timeout: .seconds(20), "both are sent") { harness.cloud.sent(from: phoneNumberID).count >= 2 }
            try await Task.sleep(for: .seconds(1))
            #expect(harness.cloud.sent(from: phoneNumberID).count == 2)

            // Another company's key of the same text is its own.
            let (other, otherNumber, _) = try await harness.company()
            let otherTemplate = try await harness.approvedTemplate(other)
            let theirs = try await send(
                key, token: try await harness.api.token(other, user: UserID(), role: .owner),
                json: #"{"number_id":"\#(otherNumber)","to":"9811122288","template_id":"\#(otherTemplate)","values":{"body":["A"]}}"#)
            #expect(theirs.status == 202)
            #expect(try theirs.json()["id"] as? String != id)

            for bad in ["", "with space", String(repeating: "k", count: 256), "ключ"] {
                let refused = try await send(bad)
                #expect(refused.status == 400, "\(bad)")
                #expect(try refused.errorCode() == "request.idempotency_key.invalid")
            }
        }
    }

    @Test("whatsapp.send.requested (AfterCall) sends the template once, however often the event is delivered; BI-07: below ₹1 it is refused")
    func sendRequested() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            let template = try await harness.approvedTemplate(company)
            let publisher = try TestEnvironment.connection("campaigns-send-requests")
            publisher.start()
            try await publisher.waitUntilConnected()
            let event = try EncodedEnvelope(Envelope(
                companyID: company,
                data: WhatsAppSendRequested(
                    numberID: UUID(uuidString: number)!, to: PhoneNumber(e164: "+919822233344")!, templateID: UUID(uuidString: template)!,
                    bodyValues: ["Meera"], callUID: CallID())))
            try await publisher.publishUntilConfirmed([event, event, event])
            try await eventually(timeout: .seconds(30), "the requested template is sent") {
                harness.cloud.sent(from: phoneNumberID).contains { $0.to == "919822233344" }
            }
            try await Task.sleep(for: .seconds(1))
            #expect(harness.cloud.sent(from: phoneNumberID).filter { $0.to == "919822233344" }.count == 1)

            // BI-07: below ₹1 the requested send is refused like the API's, recorded as failed, and nothing is sent.
            let (broke, brokeNumber, brokePhoneNumberID) = try await harness.company(balance: .zero)
            let brokeTemplate = try await harness.approvedTemplate(broke)
            let refused = try EncodedEnvelope(Envelope(
                companyID: broke,
                data: WhatsAppSendRequested(
                    numberID: UUID(uuidString: brokeNumber)!, to: PhoneNumber(e164: "+919822233355")!, templateID: UUID(uuidString: brokeTemplate)!,
                    bodyValues: ["Meera"], callUID: CallID())))
            try await publisher.publishUntilConfirmed([refused])
            try await eventually(timeout: .seconds(30), "the refusal is recorded") {
                try await harness.count(
                    "SELECT count(*) FROM campaigns.messages WHERE company_id = '\(broke.uuid)' AND status = 'failed' AND error_code = 'INSUFFICIENTBALANCE'") == 1
            }
            #expect(harness.cloud.sent(from: brokePhoneNumberID).isEmpty)
            await publisher.shutdown()
        }
    }

    @Test("CA-36: a test message goes to one device with the first contact's values; the campaign stays a draft and nobody else gets it")
    func testSend() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 3, base: 9_100_000_000)
            let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
            let sent = try await harness.call("POST", "/v1/campaigns/\(campaign)/test", as: company, json: #"{"to":"9811199999"}"#)
            #expect(sent.status == 202, "\(sent.text)")
            let messageID = try #require(try sent.json()["id"] as? String)
            try await eventually(timeout: .seconds(20), "the test message is sent") {
                try await harness.call("GET", "/v1/whatsapp/messages/\(messageID)", as: company).json()["status"] as? String == "sent"
            }
            let delivered = harness.cloud.sent(from: phoneNumberID)
            #expect(delivered.count == 1)
            #expect(delivered.first?.to == "919811199999")
            #expect(delivered.first?.body.contains("Customer 1") == true, "the first contact's name fills {{1}}")
            #expect(try await harness.status(company, campaign: campaign)["status"] as? String == "draft")
            let stranger = try await harness.call("POST", "/v1/campaigns/\(campaign)/test", as: company, json: #"{"to":"12"}"#)
            #expect(try stranger.errorCode() == "phone.invalid")
        }
    }

    @Test("CA-42, BI-05, BI-06: low balance pauses scheduled campaigns; D-14: re-confirming the schedule makes them scheduled again")
    func ca42Pause() async throws {
        try await withCampaigns { harness in
            let (company, number, _) = try await harness.company()
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 5, base: 9_800_000_000)
            let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
            let later = Timestamp.format(Date().addingTimeInterval(3_600))
            #expect(try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_at":"\#(later)"}"#).status == 200)
            let publisher = try TestEnvironment.connection("campaigns-billing")
            publisher.start()
            try await publisher.waitUntilConnected()
            try await publisher.publishUntilConfirmed([
                try EncodedEnvelope(Envelope(companyID: company, data: BalanceLow(balance: .rupees(400), threshold: .rupees(500))))
            ])
            try await eventually(timeout: .seconds(30), "the campaign pauses") {
                try await harness.status(company, campaign: campaign)["status"] as? String == "paused"
            }
            let resumed = try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_at":"\#(later)"}"#)
            #expect(resumed.status == 200, "\(resumed.text)")
            #expect(try resumed.json()["status"] as? String == "scheduled")
        }
    }

    @Test("D-12: the quota counts the rolling 24 hours in hourly buckets; a number outside the business account is refused")
    func d12RollingQuota() async throws {
        try await withCampaigns { harness in
            let (company, number, _) = try await harness.company()
            func used(hoursAgo: Int) async throws -> Int? {
                try await harness.database.query(
                    """
                    UPDATE campaigns.numbers SET quota_buckets = array_fill(0, ARRAY[24]) || 700,
                        quota_hour = floor(extract(epoch FROM now()) / 3600)::bigint - \(hoursAgo)
                    WHERE id = \(UUID(uuidString: number)!)
                    """)
                let view = try await harness.call("GET", "/v1/whatsapp/numbers/\(number)", as: company).json()
                return (view["quota"] as? [String: any Sendable])?["used"] as? Int
            }
            #expect(try await used(hoursAgo: 0) == 700)
            #expect(try await used(hoursAgo: 23) == 700)
            #expect(try await used(hoursAgo: 24) == 700)
            #expect(try await used(hoursAgo: 25) == 0)

            let stranger = try await harness.call(
                "POST", "/v1/whatsapp/numbers", as: company, json: #"{"phone_number_id":"999000111","display_number":"+917099999999"}"#)
            #expect(stranger.status == 422)
            #expect(try stranger.errorCode() == "whatsapp.number.not_in_account")
        }
    }
}
}

import Contracts
import Foundation
import ServiceKit
import Testing

/// CA-57 against a running Campaigns: entry links, and the First Message tag a contact's first message applies.
@Suite("WhatsApp First Message tag")
struct FirstMessageTagTests {
    typealias JSON = [String: any Sendable]

    /// Meta's post for a customer's text that came from an ad (`referral`).
    static func fromAd(_ phoneNumberID: String, from: String, text: String, at: Date = Date()) -> String {
        let referral = #"{"source_url":"https://fb.me/3cr4Wqqkv","source_id":"120210000000","source_type":"ad","headline":"Diwali lamps","body":"20% off","media_type":"image","image_url":"https://x","ctwa_clid":"ARAkLkA8rmlFeiCktEJQ"}"#
        return #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"\#(phoneNumberID)"},"contacts":[{"wa_id":"\#(from)","profile":{"name":"Asha"}}],"messages":[{"from":"\#(from)","id":"wamid.in.\#(UUID().uuidString)","timestamp":"\#(Int(at.timeIntervalSince1970))","type":"text","text":{"body":"\#(text)"},"referral":\#(referral)}]}}]}]}"#
    }

    @Test("CA-57: a contact's first message tags where they came from (an ad, an entry link or its QR code, or direct), and only an edit changes it")
    func ca57FirstMessageTag() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            func tag(_ contact: String) async throws -> ServiceClient.Reply {
                try await harness.call("GET", "/v1/whatsapp/contacts/\(contact)/first-message", as: company, role: .agent)
            }
            // Entry links: managers make them; the link opens a chat with the number, the code prefilled.
            #expect(try await harness.call(
                "POST", "/v1/whatsapp/entry-links", as: company, role: .agent, json: #"{"number_id":"\#(number)","name":"Lamps"}"#).status == 403)
            let created = try await harness.call(
                "POST", "/v1/whatsapp/entry-links", as: company, role: .manager,
                json: #"{"number_id":"\#(number)","name":"Lamps product page","text":"Hi, I want a lamp"}"#)
            #expect(created.status == 201, "\(created.text)")
            let link = try created.json()
            let code = try #require(link["code"] as? String)
            let linkID = try #require(link["id"] as? String)
            #expect(link["kind"] as? String == "link")
            let url = try #require(link["url"] as? String)
            #expect(url.hasPrefix("https://wa.me/"))
            #expect(url.hasSuffix("?text=Hi%2C%20I%20want%20a%20lamp%20%5B\(code)%5D"), "\(url)")
            let qr = try await harness.call(
                "POST", "/v1/whatsapp/entry-links", as: company, role: .manager, json: #"{"number_id":"\#(number)","name":"Shop counter","kind":"qr"}"#)
            let qrCode = try #require(try qr.json()["code"] as? String)
            let listed = try await harness.call("GET", "/v1/whatsapp/entry-links", as: company, role: .manager).json()
            #expect(((listed["items"] as? [JSON]) ?? []).compactMap { $0["code"] as? String }.sorted() == [code, qrCode].sorted())
            // Pages, the newest first, each `next` leading on exactly where the page before stopped.
            let first = try await harness.call("GET", "/v1/whatsapp/entry-links?limit=1", as: company, role: .manager).json()
            #expect(((first["items"] as? [JSON]) ?? []).compactMap { $0["code"] as? String } == [qrCode])
            let firstNext = try #require(first["next"] as? String)
            let second = try await harness.call("GET", "/v1/whatsapp/entry-links?limit=1&before=\(firstNext)", as: company, role: .manager).json()
            #expect(((second["items"] as? [JSON]) ?? []).compactMap { $0["code"] as? String } == [code])
            let secondNext = try #require(second["next"] as? String)
            let third = try await harness.call("GET", "/v1/whatsapp/entry-links?limit=1&before=\(secondNext)", as: company, role: .manager).json()
            #expect((third["items"] as? [JSON])?.isEmpty == true)
            #expect(third["next"] == nil)
            for (query, field) in [("limit=0", "limit"), ("limit=501", "limit"), ("before=yesterday", "before"), ("before=12-not-a-uuid", "before")] {
                let refused = try await harness.call("GET", "/v1/whatsapp/entry-links?\(query)", as: company, role: .manager)
                #expect(refused.status == 400, "\(query)")
                #expect(try refused.json()["error"].flatMap { $0 as? JSON }?["field"] as? String == field, "\(query)")
            }

            // Four contacts, four sources.
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100081", text: "Hi, I want a lamp [\(code)]")).status == 200)
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100082", text: "[\(qrCode.lowercased())] hello")).status == 200)
            #expect(try await harness.webhook(Self.fromAd(phoneNumberID, from: "919811100083", text: "Is this available?")).status == 200)
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100084", text: "Hello")).status == 200)
            let byLink = try await tag("+919811100081").json()
            #expect(byLink["source"] as? String == "link")
            #expect(byLink["label"] as? String == "Lamps product page")
            #expect(byLink["link_id"] as? String == linkID)
            #expect(byLink["click_id"] == nil)
            #expect(try await tag("+919811100082").json()["source"] as? String == "qr")
            let byAd = try await tag("+919811100083").json()
            #expect(byAd["source"] as? String == "ad")
            #expect(byAd["label"] as? String == "Diwali lamps")
            #expect(byAd["ad_id"] as? String == "120210000000")
            #expect(try await tag("+919811100084").json()["source"] as? String == "direct")
            // The inbox shows each chat's tag, and filters by it.
            let fromAds = try await harness.call("GET", "/v1/whatsapp/numbers/\(number)/chats?first_message=ad", as: company, role: .agent).json()
            #expect(((fromAds["items"] as? [JSON]) ?? []).compactMap { $0["contact"] as? String } == ["+919811100083"])
            let chat = try await harness.call("GET", "/v1/whatsapp/numbers/\(number)/chats/+919811100081", as: company, role: .agent).json()
            #expect((chat["first_message"] as? JSON)?["source"] as? String == "link")
            #expect((chat["first_message"] as? JSON)?["label"] as? String == "Lamps product page")
            let none = try await tag("+919811100085")
            #expect(none.status == 404)
            #expect(try none.errorCode() == "first_message.not_found")

            // A reaction (to a campaign's template) before the first message is no first message.
            let reaction = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"\#(phoneNumberID)"},"messages":[{"from":"919811100087","id":"wamid.in.reaction.\#(number)","timestamp":"\#(Int(Date().timeIntervalSince1970) - 5)","type":"reaction","reaction":{"message_id":"wamid.x","emoji":"👍"}}]}}]}]}"#
            #expect(try await harness.webhook(reaction).status == 200)
            #expect(try await tag("+919811100087").status == 404)
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100087", text: "Hi [\(qrCode)]")).status == 200)
            #expect(try await tag("+919811100087").json()["source"] as? String == "qr")
            // Out of order: the ad's message, written first, reaches us after the customer's next one; it tags them.
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100088", text: "And the price?")).status == 200)
            #expect(try await tag("+919811100088").json()["source"] as? String == "direct")
            #expect(try await harness.webhook(Self.fromAd(phoneNumberID, from: "919811100088", text: "Is this available?", at: Date().addingTimeInterval(-30))).status == 200)
            #expect(try await tag("+919811100088").json()["source"] as? String == "ad")
            #expect(try await tag("+919811100088").json()["click_id"] as? String == "ARAkLkA8rmlFeiCktEJQ")

            // Later messages change nothing, even with a code; another company's code means nothing here.
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100084", text: "Again [\(code)]")).status == 200)
            #expect(try await tag("+919811100084").json()["source"] as? String == "direct")
            let (other, otherNumber, _) = try await harness.company()
            let foreign = try await harness.call(
                "POST", "/v1/whatsapp/entry-links", as: other, role: .manager, json: #"{"number_id":"\#(otherNumber)","name":"Theirs"}"#)
            let foreignCode = try #require(try foreign.json()["code"] as? String)
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100086", text: "Hi [\(foreignCode)]")).status == 200)
            #expect(try await tag("+919811100086").json()["source"] as? String == "direct")
            #expect(try await harness.call("GET", "/v1/whatsapp/contacts/+919811100081/first-message", as: other).status == 404)

            // Only an edit changes a tag, by a manager; a deleted link leaves its tags.
            #expect(try await harness.call(
                "PUT", "/v1/whatsapp/contacts/+919811100084/first-message", as: company, role: .agent, json: #"{"source":"qr"}"#).status == 403)
            let editor = UserID()
            let edited = try await harness.call(
                "PUT", "/v1/whatsapp/contacts/+919811100084/first-message", as: company, user: editor, role: .manager,
                json: #"{"source":"qr","label":"Flyer at the fair"}"#)
            #expect(edited.status == 200, "\(edited.text)")
            #expect(try edited.json()["source"] as? String == "qr")
            #expect(try edited.json()["label"] as? String == "Flyer at the fair")
            #expect(try edited.json()["edited_by"] as? String == editor.description)
            // Edited to another source, the ad's details go; a label-only edit keeps them.
            let adEdited = try await harness.call(
                "PUT", "/v1/whatsapp/contacts/+919811100083/first-message", as: company, role: .manager, json: #"{"source":"ad","label":"Diwali"}"#)
            #expect(try adEdited.json()["ad_id"] as? String == "120210000000")
            let retyped = try await harness.call(
                "PUT", "/v1/whatsapp/contacts/+919811100083/first-message", as: company, role: .manager, json: #"{"source":"direct"}"#)
            #expect(try retyped.json()["ad_id"] == nil)
            #expect(try retyped.json()["label"] == nil)
            // Once edited, a late message stamped earlier no longer retags.
            #expect(try await harness.webhook(Self.fromAd(phoneNumberID, from: "919811100084", text: "Old", at: Date().addingTimeInterval(-3_000))).status == 200)
            #expect(try await tag("+919811100084").json()["source"] as? String == "qr")
            #expect(try await harness.call("DELETE", "/v1/whatsapp/entry-links/\(linkID)", as: company, role: .manager).status == 204)
            #expect(try await harness.call("DELETE", "/v1/whatsapp/entry-links/\(linkID)", as: company, role: .manager).status == 404)
            #expect(try await tag("+919811100081").json()["label"] as? String == "Lamps product page")

            // Bad input: a 4xx naming the field.
            let bad: [(String, String, String?, Int, String)] = [
                ("POST", "/v1/whatsapp/entry-links", #"{"number_id":"\#(otherNumber)","name":"X"}"#, 422, "number_id"),
                ("POST", "/v1/whatsapp/entry-links", #"{"number_id":"\#(number)","name":"  "}"#, 422, "name"),
                ("POST", "/v1/whatsapp/entry-links", #"{"number_id":"\#(number)","name":"Two\nlines"}"#, 422, "name"),
                ("POST", "/v1/whatsapp/entry-links", #"{"number_id":"\#(number)","name":"X","kind":"poster"}"#, 400, "kind"),
                ("POST", "/v1/whatsapp/entry-links", #"{"number_id":"\#(number)","name":"X","text":"\#(String(repeating: "t", count: 501))"}"#, 422, "text"),
                ("PUT", "/v1/whatsapp/contacts/+919811100081/first-message", #"{"source":"billboard"}"#, 400, "source"),
                ("PUT", "/v1/whatsapp/contacts/12/first-message", #"{"source":"qr"}"#, 422, "contact"),
                ("DELETE", "/v1/whatsapp/entry-links/nope", nil, 400, "id"),
            ]
            for (method, path, json, status, field) in bad {
                let reply = try await harness.call(method, path, as: company, role: .manager, json: json)
                #expect(reply.status == status, "\(method) \(path): \(reply.text)")
                #expect(try (reply.json()["error"] as? JSON)?["field"] as? String == field, "\(method) \(path): \(reply.text)")
            }
        }
    }
}

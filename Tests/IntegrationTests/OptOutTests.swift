import Campaigns
import Contracts
import Foundation
import ServiceKit
import Testing

/// CA-01 against a running Campaigns: STOP and START through Meta's webhook, the API's own opt-outs, campaigns and
/// single sends skipping opted-out customers.
@Suite("WhatsApp opt-outs")
struct OptOutAPITests {
    @Test("CA-01: a STOP that arrives while a campaign drains stops the messages not yet sent to that customer")
    func ca01StopWhileSending() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company(rate: 20)
            let template = try await harness.approvedTemplate(company)
            let audience = try await harness.audience(company, count: 200, base: 9_300_000_000)
            let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
            #expect(try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_now":true}"#).status == 200)
            let campaignID = try #require(UUID(uuidString: campaign))
            try await eventually(timeout: .seconds(20), "the campaign started") {
                try await harness.count("SELECT count(*) FROM campaigns.messages WHERE campaign_id = '\(campaignID)'") == 200
            }
            // The last recipient, queued at the start, writes STOP while the first ones go out at 20 a second. Each sender
            // holds at most a wave of claimed messages, so the STOP reaches every message claimed after it.
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919300000199", text: "STOP")).status == 200)
            let final = try await harness.finished(company, campaign: campaign)
            #expect(final["status"] as? String == "completed")
            #expect(!harness.cloud.sent(from: phoneNumberID).contains { $0.to == "919300000199" })
            #expect(try await harness.count(
                "SELECT count(*) FROM campaigns.messages WHERE campaign_id = '\(campaignID)' AND recipient = '+919300000199' AND status = 'failed' AND error_code = 'recipient.opted_out'") == 1)
            #expect(harness.cloud.sent(from: phoneNumberID).filter { $0.to.hasPrefix("919300") }.count == 199)
        }
    }

    @Test("CA-01: STOP stops templates (not replies) until START; the business lifts only its own opt-outs; campaigns skip them")
    func ca01OptOuts() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            let template = try await harness.approvedTemplate(company)
            // One agent throughout: the first reply makes the chat theirs (CA-50), and another agent's template into it is refused.
            let agent = UserID()
            func send(_ to: String, freeForm: Bool = false) async throws -> ServiceClient.Reply {
                let body = !freeForm
                    ? #"{"number_id":"\#(number)","to":"\#(to)","template_id":"\#(template)","values":{"body":["Asha"]}}"#
                    : #"{"number_id":"\#(number)","to":"\#(to)","text":"Noted, you will not get offers from us."}"#
                return try await harness.call("POST", "/v1/whatsapp/messages", as: company, user: agent, role: .agent, json: body)
            }
            func listed() async throws -> [[String: any Sendable]] {
                try #require(try await harness.call("GET", "/v1/whatsapp/opt-outs", as: company, role: .manager).json()["items"] as? [[String: any Sendable]])
            }

            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811122244", text: "Stop!")).status == 200)
            #expect(try await listed().map { $0["contact"] as? String } == ["+919811122244"])
            #expect(try await listed().first?["customer_choice"] as? String == "keyword")
            #expect(try await listed().first?["scope"] as? String == "all")
            let refused = try await send("+919811122244")
            #expect(refused.status == 422)
            #expect(try refused.errorCode() == "recipient.opted_out")
            #expect(try await send("+919811122244", freeForm: true).status == 202, "a reply inside the window the STOP opened")
            let lift = try await harness.call("DELETE", "/v1/whatsapp/opt-outs/%2B919811122244", as: company)
            #expect(lift.status == 409)
            #expect(try lift.errorCode() == "opt_out.customer_choice")
            // A STOP that arrives after a later START changes nothing.
            // Meta's timestamps are whole seconds, and a tie goes to opting out: this START is a second later.
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811122244", text: "START", at: Date() + 1)).status == 200)
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811122244", text: "stop", at: Date() - 60)).status == 200)
            #expect(try await listed().isEmpty)
            #expect(try await send("+919811122244").status == 202)

            // The business records an opt-out it heard of elsewhere, and may lift it.
            let added = try await harness.call("POST", "/v1/whatsapp/opt-outs", as: company, json: #"{"contact":"+919811122255"}"#)
            #expect(added.status == 201)
            #expect(try added.json()["business_opt_out"] as? Bool == true)
            #expect(try await harness.call("POST", "/v1/whatsapp/opt-outs", as: company, json: #"{"contact":"+919811122255"}"#).status == 200)
            #expect(try await harness.call("POST", "/v1/whatsapp/opt-outs", as: company, role: .agent, json: #"{"contact":"+919811122255"}"#).status == 403)
            #expect(try await harness.call("POST", "/v1/whatsapp/opt-outs", as: company, json: #"{"contact":"12"}"#).status == 422)
            // A STOP the customer wrote before the business's record, delivered late, still counts: lifting the business's
            // own opt-out leaves the customer's in force, which the business cannot lift.
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811122255", text: "STOP", at: Date() - 600)).status == 200)
            #expect(try await harness.call("DELETE", "/v1/whatsapp/opt-outs/%2B919811122255", as: company).status == 204)
            #expect(try await send("+919811122255").status == 422)
            let customers = try await harness.call("DELETE", "/v1/whatsapp/opt-outs/%2B919811122255", as: company)
            #expect(customers.status == 409)
            #expect(try customers.errorCode() == "opt_out.customer_choice")
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811122255", text: "start", at: Date() + 1)).status == 200)
            #expect(try await harness.call("DELETE", "/v1/whatsapp/opt-outs/%2B919811122255", as: company).status == 404)
            #expect(try await listed().allSatisfy { $0["contact"] as? String != "+919811122255" })

            // A campaign skips the opted-out contact, who takes no quota; the others are sent.
            _ = try await harness.create("/v1/whatsapp/opt-outs", as: company, json: #"{"contact":"+919200000001"}"#)
            let audience = try await harness.audience(company, count: 3, base: 9_200_000_000)
            let campaign = try await harness.campaign(company, number: number, template: template, audience: audience)
            #expect(try await harness.call("POST", "/v1/campaigns/\(campaign)/schedule", as: company, json: #"{"send_now":true}"#).status == 200)
            let final = try await harness.finished(company, campaign: campaign)
            #expect(final["status"] as? String == "completed")
            let sent = harness.cloud.sent(from: phoneNumberID).filter { $0.to.hasPrefix("919200") }.map(\.to)
            #expect(Set(sent) == ["919200000000", "919200000002"])
            let campaignID = try #require(UUID(uuidString: campaign))
            #expect(try await harness.count(
                "SELECT count(*) FROM campaigns.messages WHERE campaign_id = '\(campaignID)' AND status = 'failed' AND error_code = 'recipient.opted_out' AND recipient = '+919200000001'") == 1)
            let report = try await harness.call("GET", "/v1/campaigns/\(campaign)/report", as: company).text
            #expect(report.contains("recipient.opted_out"))
            #expect(report.contains("blocked_or_opted_out"))

            // Meta's 131050 on a send: the customer stopped the business's messages.
            let stopped = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"\#(phoneNumberID)"},"statuses":[{"id":"wamid.gone.\#(UUID())","status":"failed","timestamp":"\#(Int(Date().timeIntervalSince1970))","recipient_id":"919811122266","errors":[{"code":131050,"title":"Unable to deliver the message."}]}]}}]}]}"#
            #expect(try await harness.webhook(stopped).status == 200)
            #expect(try await listed().contains {
                $0["contact"] as? String == "+919811122266" && $0["customer_choice"] as? String == "provider" && $0["scope"] as? String == "marketing"
            })
            // Marketing only: the utility template still goes to them.
            #expect(try await send("+919811122266").status == 202)
            // A template's "Stop promotions" button stops marketing only, like Meta's 131050: the utility template still goes.
            let tapped = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"\#(phoneNumberID)"},"messages":[{"from":"919811122277","id":"wamid.btn.\#(UUID())","timestamp":"\#(Int(Date().timeIntervalSince1970))","type":"button","button":{"text":"Stop promotions","payload":"STOP"}}]}}]}]}"#
            #expect(try await harness.webhook(tapped).status == 200)
            #expect(try await listed().contains { $0["contact"] as? String == "+919811122277" && $0["scope"] as? String == "marketing" })
            #expect(try await send("+919811122277").status == 202)
        }
    }
}

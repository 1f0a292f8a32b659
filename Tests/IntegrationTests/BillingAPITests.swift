import Billing
import Contracts
import Foundation
import Messaging
import ServiceKit
import PostgresNIO
import Storage
import Testing

/// The Billing API against a running service: reservations under concurrency, payments, invoices, roles, errors.
@Suite("Billing API")
struct BillingAPITests {
    @Test("D-15: a campaign's charged conversations are drawn from its hold, so the available balance counts them once")
    func conversationsDrawFromTheHold() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            try await billing.recharge(company, .rupees(1_500))
            let token = try await billing.token(company, role: .manager)
            let campaign = CampaignID()
            let hold = try await billing.call(
                "POST", "/v1/billing/reservations", token: token,
                json: #"{"amount":\#(Money.rupees(1_000).paise),"reference":"\#(CampaignHold.reference(campaign))"}"#)
            #expect(hold.status == 201, "\(hold.text)")
            let rate = try await billing.database.count("SELECT rate::int FROM billing.rates WHERE plan = 'compact' AND item = 'whatsapp.marketing'")
            try #require(rate > 0)

            // Three conversations of the campaign, one of them delivered twice under two event ids, and one
            // conversation of no campaign.
            let publisher = try TestEnvironment.connection("billing-draws")
            publisher.start()
            try await publisher.waitUntilConnected()
            func opened(_ id: String, campaign: CampaignID?) throws -> EncodedEnvelope {
                try EncodedEnvelope(
                    Envelope(
                        companyID: company,
                        data: WhatsAppConversationOpened(
                            conversationID: id, category: .marketing, phoneNumberID: "1", recipient: PhoneNumber(e164: "+919876543210")!,
                            openedAt: Date(), campaignID: campaign)))
            }
            let conversations = [
                try opened("c1-\(campaign)", campaign: campaign), try opened("c2-\(campaign)", campaign: campaign),
                try opened("c2-\(campaign)", campaign: campaign), try opened("c3-\(campaign)", campaign: campaign),
                try opened("other-\(campaign)", campaign: nil),
            ]
            try await publisher.publishUntilConfirmed(conversations)
            let charged = Money(paise: Int64(rate * 4))
            try await eventually("the conversations were charged") { try await billing.balance(company) == .rupees(1_500) - charged }
            try await Task.sleep(for: .milliseconds(500))
            let account = try await billing.call("GET", "/v1/billing/account", as: company)
            // Three of the campaign's conversations came out of the hold; the fourth charge is the other conversation.
            #expect(try account.json()["reserved"] as? Int == Int(Money.rupees(1_000).paise) - rate * 3)
            #expect(try account.json()["available"] as? Int == Int(Money.rupees(500).paise) - rate)
            #expect(try await billing.balance(company) == .rupees(1_500) - charged)

            // Capturing the campaign's usage charges nothing twice: the three conversations were charged already.
            let id = try #require(try hold.json()["id"] as? String)
            let below = try await billing.call("POST", "/v1/billing/reservations/\(id)/capture", token: token, json: #"{"amount":\#(rate * 2)}"#)
            #expect(below.status == 422)
            #expect(try below.errorCode() == "reservation.capture.below_drawn")
            let captured = try await billing.call("POST", "/v1/billing/reservations/\(id)/capture", token: token, json: #"{"amount":\#(rate * 3 + 100)}"#)
            #expect(captured.status == 200, "\(captured.text)")
            #expect(try captured.json()["drawn"] as? Int == rate * 3)
            #expect(try await billing.balance(company) == .rupees(1_500) - charged - Money(paise: 100), "only the usage beyond the draws is charged")

            // Conversations rated after the capture were paid by it, up to the 100 paise it charged beyond the draws:
            // two more are charged only what that does not cover, and one published again is charged nothing.
            // Waits until the rater took these events (their inbox rows), so that a check of "nothing more" means something.
            func rated(_ events: [EncodedEnvelope]) async throws {
                try await publisher.publishUntilConfirmed(events)
                let ids = events.map(\.header.id.uuid)
                try await eventually("the conversations were rated") {
                    try await billing.database.count(
                        "SELECT count(*) FROM billing.inbox WHERE consumer = 'rate-conversations' AND event_id = ANY('{\(ids.map(\.uuidString).joined(separator: ","))}'::uuid[])")
                        == ids.count
                }
            }
            let afterCapture = try await billing.balance(company)
            try await rated([try opened("c4-\(campaign)", campaign: campaign), try opened("c5-\(campaign)", campaign: campaign)])
            try await rated([try opened("c4-\(campaign)", campaign: campaign)])
            #expect(try await billing.balance(company) == afterCapture - Money(paise: Int64(max(0, 2 * rate - 100))), "the capture's 100 paise covered them first")
            #expect(try await billing.database.count("SELECT drawn::int FROM billing.reservations WHERE id = '\(try #require(try hold.json()["id"] as? String))'") == rate * 3 + 100)

            // Draws can pass a small hold (rates raised while the campaign ran): the capture of what was drawn is
            // accepted and charges nothing more (it was refused by the table's check, a 500).
            let small = CampaignID()
            let smallHold = try await billing.call(
                "POST", "/v1/billing/reservations", token: token, json: #"{"amount":\#(rate + 1),"reference":"\#(CampaignHold.reference(small))"}"#)
            #expect(smallHold.status == 201, "\(smallHold.text)")
            let before = try await billing.balance(company)
            try await publisher.publishUntilConfirmed([try opened("s1-\(small)", campaign: small), try opened("s2-\(small)", campaign: small)])
            try await eventually("both drawn") { try await billing.balance(company) == before - Money(paise: Int64(rate * 2)) }
            let smallID = try #require(try smallHold.json()["id"] as? String)
            let beyond = try await billing.call("POST", "/v1/billing/reservations/\(smallID)/capture", token: token, json: #"{"amount":\#(rate * 2)}"#)
            #expect(beyond.status == 200, "\(beyond.text)")
            #expect(try beyond.json()["captured"] as? Int == rate * 2)
            #expect(try await billing.balance(company) == before - Money(paise: Int64(rate * 2)))

            // A conversation charged while its campaign had no hold, published again once one is held, draws nothing
            // from it: the hold would shrink with nothing charged.
            let unheld = CampaignID()
            let charging = try await billing.balance(company)
            try await publisher.publishUntilConfirmed([try opened("u1-\(unheld)", campaign: unheld)])
            try await eventually("charged without a hold") { try await billing.balance(company) == charging - Money(paise: Int64(rate)) }
            let lateHold = try await billing.call(
                "POST", "/v1/billing/reservations", token: token, json: #"{"amount":\#(rate * 10),"reference":"\#(CampaignHold.reference(unheld))"}"#)
            #expect(lateHold.status == 201, "\(lateHold.text)")
            try await rated([try opened("u1-\(unheld)", campaign: unheld)])
            #expect(try await billing.database.count(
                "SELECT drawn::int FROM billing.reservations WHERE id = '\(try #require(try lateHold.json()["id"] as? String))'") == 0)
            #expect(try await billing.balance(company) == charging - Money(paise: Int64(rate)))
            await publisher.shutdown()
        }
    }

    @Test("D-15, CA-39: 50 parallel reservations against a balance that fits 20: exactly 20 succeed, the rest get INSUFFICIENTBALANCE")
    func parallelReservations() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            try await billing.recharge(company, .rupees(2_001))
            let token = try await billing.token(company, role: .manager)
            let replies = try await withThrowingTaskGroup(of: BillingHarness.Reply.self) { group in
                // The 50 take the account's lock one after another: on a machine busy with the whole suite the last may
                // wait well over the usual 30 s (it did once), which is the test's load, not a fault.
                for index in 0..<50 {
                    group.addTask {
                        try await billing.call(
                            "POST", "/v1/billing/reservations", token: token, json: #"{"amount":10000,"reference":"campaign-\#(index)"}"#,
                            within: .seconds(120))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.filter { $0.status == 201 }.count == 20)
            let refused = replies.filter { $0.status == 402 }
            #expect(refused.count == 30)
            #expect(try refused.allSatisfy { try $0.errorCode() == "INSUFFICIENTBALANCE" })

            let account = try await billing.call("GET", "/v1/billing/account", as: company)
            #expect(try account.json()["reserved"] as? Int == 200_000)
            #expect(try account.json()["available"] as? Int == 100)

            // Capture one for less than held: the ledger is charged the captured amount and the rest is free again.
            let held = try replies.filter { $0.status == 201 }.map { try #require(try $0.json()["id"] as? String) }
            let captured = try await billing.call("POST", "/v1/billing/reservations/\(held[0])/capture", token: token, json: #"{"amount":6000}"#)
            #expect(captured.status == 200)
            #expect(try captured.json()["status"] as? String == "captured")
            let replay = try await billing.call("POST", "/v1/billing/reservations/\(held[0])/capture", token: token, json: #"{"amount":6000}"#)
            #expect(replay.status == 200, "the same capture again is a no-op")
            let different = try await billing.call("POST", "/v1/billing/reservations/\(held[0])/capture", token: token, json: #"{"amount":7000}"#)
            #expect(different.status == 409)
            let releaseCaptured = try await billing.call("POST", "/v1/billing/reservations/\(held[0])/release", token: token)
            #expect(releaseCaptured.status == 409)
            #expect(try await billing.call("POST", "/v1/billing/reservations/\(held[1])/release", token: token).status == 200)
            #expect(try await billing.call("POST", "/v1/billing/reservations/\(held[1])/release", token: token).status == 200)
            let over = try await billing.call("POST", "/v1/billing/reservations/\(held[2])/capture", token: token, json: #"{"amount":10001}"#)
            #expect(over.status == 422)
            #expect(try over.errorCode() == "reservation.capture.out_of_range")

            #expect(try await billing.balance(company) == Money(paise: 200_100 - 6_000))
            let after = try await billing.call("GET", "/v1/billing/account", as: company)
            #expect(try after.json()["reserved"] as? Int == 180_000)

            // Another company cannot see or settle these reservations (D-28).
            let stranger = try await billing.call("POST", "/v1/billing/reservations/\(held[3])/release", as: CompanyID(), role: .owner)
            #expect(stranger.status == 404)
        }
    }

    @Test("D-15: a quote estimates recipients × the category rate and says whether ₹1 would remain")
    func quote() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            try await billing.recharge(company, .rupees(1_500))
            let fits = try await billing.call("POST", "/v1/billing/quote", as: company, json: #"{"recipients":1000,"category":"marketing"}"#)
            #expect(fits.status == 200)
            #expect(try fits.json()["estimate"] as? Int == 109_000)
            #expect(try fits.json()["sufficient"] as? Bool == true)
            let tooMany = try await billing.call("POST", "/v1/billing/quote", as: company, json: #"{"recipients":1400,"category":"marketing"}"#)
            #expect(try tooMany.json()["sufficient"] as? Bool == false)
            let huge = try await billing.call("POST", "/v1/billing/reservations", as: company, json: #"{"amount":9223372036854775807}"#)
            #expect(huge.status == 422, "an amount near Int64.max is refused, never an overflow")
            #expect(try huge.errorCode() == "credit.amount.too_large")
            let ambiguous = try await billing.call("POST", "/v1/billing/quote", as: company, json: #"{"amount":100,"recipients":3}"#)
            #expect(ambiguous.status == 400)
            let badCategory = try await billing.call("POST", "/v1/billing/quote", as: company, json: #"{"recipients":3,"category":"promo"}"#)
            #expect(badCategory.status == 400)
            #expect(try badCategory.json()["error"].flatMap { $0 as? [String: any Sendable] }?["field"] as? String == "category")
        }
    }

    @Test("BI-26, BI-33, BI-37, BI-38, D-22: payments credit the wallet once, issue numbered invoices with GST, and failed ones issue nothing")
    func paymentsAndInvoices() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            let first = try await billing.recharge(company, .rupees(1_500))
            try await billing.recharge(company, .rupees(2_000))
            #expect(try await billing.balance(company) == .rupees(3_500))

            // A replayed provider callback changes nothing.
            let replay = try await billing.providerWebhook(
                #"{"event":"payment.captured","payment_id":"\#(first)","provider_reference":"again","amount":177000}"#)
            #expect(replay.status == 200)
            #expect(try await billing.balance(company) == .rupees(3_500))

            // A bad signature is refused. A capture of another amount than payable is held for review: nothing is
            // credited, the captured amount is on record, and a failure notice does not erase it.
            let created = try await billing.call("POST", "/v1/billing/payments", as: company, json: #"{"amount":150000,"method":"online"}"#)
            let pending = try #require(try created.json()["id"] as? String)
            #expect(try created.json()["total_payable"] as? Int == 177_000)
            let forged = try await billing.providerWebhook(
                #"{"event":"payment.captured","payment_id":"\#(pending)","amount":177000}"#, secret: "wrong")
            #expect(forged.status == 401)
            let short = try await billing.providerWebhook(#"{"event":"payment.captured","payment_id":"\#(pending)","amount":150000}"#)
            #expect(short.status == 200, "\(short.text)")
            #expect(try short.json()["status"] as? String == "review")
            #expect(try short.json()["captured_amount"] as? Int == 150_000)
            #expect((try short.json()["failure_reason"] as? String)?.contains("held for review") == true)
            let ignored = try await billing.providerWebhook(#"{"event":"payment.failed","payment_id":"\#(pending)","amount":177000,"reason":"card declined"}"#)
            #expect(try ignored.json()["status"] as? String == "review")
            let declined = try #require(
                try await billing.call("POST", "/v1/billing/payments", as: company, json: #"{"amount":150000,"method":"online"}"#).json()["id"] as? String)
            let failed = try await billing.providerWebhook(#"{"event":"payment.failed","payment_id":"\#(declined)","amount":177000,"reason":"card declined"}"#)
            #expect(try failed.json()["status"] as? String == "failed")
            #expect(try await billing.balance(company) == .rupees(3_500))

            let invoices = try await billing.call("GET", "/v1/billing/invoices", as: company, role: .billing)
            let items = try #require(try invoices.json()["items"] as? [[String: any Sendable]])
            #expect(items.count == 2, "failed payments issue no invoice")
            #expect(Set(items.compactMap { $0["number"] as? String }) == ["INV-000001", "INV-000002"])
            let latest = try #require(items.first { $0["number"] as? String == "INV-000002" })
            #expect(latest["taxable"] as? Int == 200_000)
            #expect(latest["gst"] as? Int == 36_000)
            #expect(latest["total"] as? Int == 236_000)
            let document = try await billing.call("GET", "/v1/billing/invoices/\(latest["id"] as! String)/document", as: company)
            #expect(document.status == 200)
            #expect(document.text.contains("INV-000002"))
            #expect(document.text.contains("₹360.00"))

            // BI-33: offline payments need a code, and a code applies once.
            let offline = #"{"amount":150000,"method":"neft","offline_code":"UTR0012345"}"#
            #expect(try await billing.call("POST", "/v1/billing/payments", as: company, json: offline).status == 201)
            let reused = try await billing.call("POST", "/v1/billing/payments", as: company, json: offline)
            #expect(reused.status == 409)
            #expect(try reused.errorCode() == "payment.offline_code.used")
            let noCode = try await billing.call("POST", "/v1/billing/payments", as: company, json: #"{"amount":150000,"method":"rtgs"}"#)
            #expect(try noCode.errorCode() == "payment.offline_code.missing")
            let small = try await billing.call("POST", "/v1/billing/payments", as: company, json: #"{"amount":100,"method":"online"}"#)
            #expect(small.status == 422)
            #expect(try small.errorCode() == "payment.below_minimum_topup")

            let ledger = try await billing.call("GET", "/v1/billing/ledger?kind=payment&limit=1", as: company)
            let entries = try #require(try ledger.json()["items"] as? [[String: any Sendable]])
            #expect(entries.count == 1)
            #expect(entries.first?["wallet_amount"] as? Int == 200_000)
            #expect(try ledger.json()["next"] as? String != nil)

            // The provider corrects itself: a capture of the payable settles the payment held for review.
            let corrected = try await billing.providerWebhook(
                #"{"event":"payment.captured","payment_id":"\#(pending)","provider_reference":"corrected","amount":177000}"#)
            #expect(try corrected.json()["status"] as? String == "succeeded")
            #expect(try corrected.json()["captured_amount"] == nil)
            #expect(try await billing.balance(company) == .rupees(5_000))
            let nul = try await billing.call("GET", "/v1/billing/ledger?kind=%00", as: company)
            #expect(nul.status == 400, "a NUL byte the database cannot store is bad input, not a 500")
            #expect(try nul.errorCode() == "request.field_invalid")
            #expect(try (nul.json()["error"] as? [String: any Sendable])?["field"] as? String == "kind")
        }
    }

    @Test("the OpenAPI document is served at /openapi.json without a token and names every billing route")
    func openAPI() async throws {
        try await withBilling { billing in
            let document = try await billing.call("GET", "/openapi.json")
            #expect(document.status == 200)
            let paths = try #require(try document.json()["paths"] as? [String: any Sendable])
            for path in ["/v1/billing/account", "/v1/billing/reservations", "/v1/billing/payments/webhook", "/v1/billing/dids/{number}", "/v1/billing/statement", "/v1/billing/plan/renewal"] {
                #expect(paths[path] != nil, "\(path) documented")
            }
        }
    }

    @Test("BI-30: the invoice list offers the last 12 invoices, newest first")
    func bi30TwelveInvoices() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            for _ in 0..<13 { _ = try await billing.recharge(company, .rupees(1_500)) }
            let items = try #require(try await billing.call("GET", "/v1/billing/invoices", as: company, role: .billing).json()["items"] as? [[String: any Sendable]])
            #expect(items.compactMap { $0["number"] as? String } == (2...13).reversed().map { String(format: "INV-%06d", $0) })
        }
    }

    @Test("BI-02, BI-30, BI-31, D-27: agents get Access Denied, the credit limit is read-only, settings are validated")
    func rolesAndSettings() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            let denied = try await billing.call("GET", "/v1/billing/account", as: company, role: .agent)
            #expect(denied.status == 403)
            #expect(denied.text.contains("Access Denied"))
            #expect(try await billing.call("POST", "/v1/billing/payments", as: company, role: .manager, json: #"{"amount":150000,"method":"online"}"#).status == 403)

            let account = try await billing.call("GET", "/v1/billing/account", as: company, role: .billing)
            #expect(try account.json()["credit_limit"] as? Int == 10_000)
            #expect(try account.json()["low_balance"] as? Int == 50_000)
            #expect(try account.json()["minimum_balance"] as? Int == -1_000)
            #expect(try account.json()["minimum_topup"] as? Int == 150_000)
            #expect(try account.json()["plan"] as? String == "compact")

            let limit = try await billing.call("PATCH", "/v1/billing/settings", as: company, json: #"{"credit_limit":50000}"#)
            #expect(limit.status == 422)
            #expect(try limit.errorCode() == "billing.credit_limit.read_only")
            let below = try await billing.call("PATCH", "/v1/billing/settings", as: company, json: #"{"minimum_balance":-20000}"#)
            #expect(try below.errorCode() == "billing.minimum_balance.below_credit_limit")
            let typed = try await billing.call("PATCH", "/v1/billing/settings", as: company, json: #"{"low_balance":"lots"}"#)
            #expect(typed.status == 400)
            let saved = try await billing.call(
                "PATCH", "/v1/billing/settings", as: company, json: #"{"low_balance":100000,"minimum_topup":200000,"auto_recharge":true}"#)
            #expect(saved.status == 200)
            #expect(try saved.json()["low_balance"] as? Int == 100_000)
            #expect(try saved.json()["auto_recharge"] as? Bool == true)

            // BI-28: once a GSTIN is on file, the billing name is locked.
            let gst = try await billing.call("PATCH", "/v1/billing/business", as: company, json: #"{"billing_name":"Acme Pvt Ltd","gstin":"27AAPFU0939F1ZV"}"#)
            #expect(gst.status == 200)
            let rename = try await billing.call("PATCH", "/v1/billing/business", as: company, json: #"{"billing_name":"Other Ltd"}"#)
            #expect(rename.status == 409)
            #expect(try rename.errorCode() == "billing.name.locked_by_gst")
            let nul = try await billing.call("PATCH", "/v1/billing/business", as: CompanyID(), json: #"{"billing_name":"Acme\u0000"}"#)
            // PostgreSQL cannot store U+0000: every service refuses it at the JSON edge.
            #expect(nul.status == 400)
            #expect(try nul.errorCode() == "request.nul_character")
            let tab = try await billing.call("PATCH", "/v1/billing/business", as: CompanyID(), json: #"{"billing_name":"Acme\u0007"}"#)
            #expect(tab.status == 422)
            #expect(try tab.errorCode() == "billing.text.control_character")
            let badGST = try await billing.call("PATCH", "/v1/billing/business", as: CompanyID(), json: #"{"gstin":"27AAPFU0939F1"}"#)
            #expect(try badGST.errorCode() == "billing.gstin.invalid")
        }
    }
}

@Suite("Billing purchases and cycles")
struct BillingPurchaseTests {
    @Test("BI-32, D-19: a capture that comes after the payment was declined or lapsed still reaches the customer, once")
    func lateCaptures() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            func late(_ created: ServiceClient.Reply) async throws -> ServiceClient.Reply {
                let id = try #require(try created.json()["id"] as? String)
                let total = try #require(try created.json()["total_payable"] as? Int)
                let failed = try await billing.providerWebhook(#"{"event":"payment.failed","payment_id":"\#(id)","reason":"timed out"}"#)
                #expect(try failed.json()["status"] as? String == "failed")
                let captured = #"{"event":"payment.captured","payment_id":"\#(id)","amount":\#(total)}"#
                let reply = try await billing.providerWebhook(captured)
                #expect(try await billing.providerWebhook(captured).status == 200, "a replay of the late capture changes nothing")
                return reply
            }
            func invoiceReasons() async throws -> [String] {
                let invoices = try await billing.call("GET", "/v1/billing/invoices", as: company).json()["items"] as? [[String: any Sendable]]
                return (invoices ?? []).compactMap { $0["reason"] as? String }.sorted()
            }

            // A NUL byte in the provider's reference does not stop the capture.
            let stray = try await billing.call("POST", "/v1/billing/payments", as: company, json: #"{"amount":150000,"method":"online"}"#)
            let strayID = try #require(try stray.json()["id"] as? String)
            let strayCapture = try await billing.providerWebhook(
                #"{"event":"payment.captured","payment_id":"\#(strayID)","provider_reference":"pay\u0000x","amount":177000}"#)
            #expect(strayCapture.status == 200, "\(strayCapture.text)")
            #expect(try strayCapture.json()["provider_reference"] as? String == "payx")

            // A declined recharge whose money came after all: credited and invoiced.
            let recharge = try await late(try await billing.call("POST", "/v1/billing/payments", as: company, json: #"{"amount":150000,"method":"online"}"#))
            #expect(try recharge.json()["status"] as? String == "succeeded")
            #expect(try await billing.balance(company) == .rupees(3_000))

            // A number whose purchase lapsed and nobody took since: it is the buyer's again.
            let free = BillingHarness.unusedNumber()
            let reinstated = try await late(try await billing.call("POST", "/v1/billing/dids", as: company, json: #"{"number":"\#(free)"}"#))
            #expect(try reinstated.json()["status"] as? String == "succeeded")
            #expect(try await billing.database.count("SELECT count(*) FROM billing.dids WHERE number = '\(free)' AND status = 'active'") == 1)
            #expect(try await billing.balance(company) == .rupees(3_000), "a delivered number is paid directly, not from the wallet")

            // A number whose purchase lapsed and that another company holds now: the money goes to the wallet.
            let taken = BillingHarness.unusedNumber()
            let bought = try await billing.call("POST", "/v1/billing/dids", as: company, json: #"{"number":"\#(taken)"}"#)
            let id = try #require(try bought.json()["id"] as? String)
            let total = try #require(try bought.json()["total_payable"] as? Int)
            let gst = try #require(try bought.json()["gst"] as? Int)
            _ = try await billing.providerWebhook(#"{"event":"payment.failed","payment_id":"\#(id)"}"#)
            let other = CompanyID()
            #expect(try await billing.call("POST", "/v1/billing/dids", as: other, json: #"{"number":"\#(taken)"}"#).status == 201)
            let captured = #"{"event":"payment.captured","payment_id":"\#(id)","amount":\#(total)}"#
            #expect(try await billing.providerWebhook(captured).status == 200)
            #expect(try await billing.providerWebhook(captured).status == 200)
            #expect(try await billing.balance(company) == .rupees(3_000) + Money(paise: Int64(total - gst)))
            #expect(try await billing.database.count("SELECT count(*) FROM billing.dids WHERE number = '\(taken)' AND status <> 'released'") == 1)
            #expect(
                try await billing.database.count(
                    "SELECT count(*) FROM billing.dids WHERE number = '\(taken)' AND status = 'pending' AND company_id = '\(other)'") == 1)
            #expect(try await invoiceReasons() == ["did_purchase", "recharge", "recharge", "recharge"], "one invoice per captured payment")
        }
    }

    @Test("BI-19, D-22: a number paid after its purchase's cycle ended also pays the current cycle's rental, from the wallet, once")
    func numberPaidInTheNextCycle() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            try await billing.recharge(company, .rupees(1_500))
            let number = BillingHarness.unusedNumber()
            let bought = try await billing.call("POST", "/v1/billing/dids", as: company, json: #"{"number":"\#(number)"}"#)
            let id = try #require(try bought.json()["id"] as? String)
            // Bought 40 days ago, priced for the cycle of then, and paid only now.
            let day = try await billing.database.count("SELECT billing_day FROM billing.accounts WHERE company_id = '\(company.uuid)'")
            let then = BillingCycle.containing(Date().addingTimeInterval(-40 * 86_400), billingDay: day, timeZone: .kolkata)
            try await billing.database.query(
                """
                UPDATE billing.payments SET created_at = created_at - interval '40 days', rental_cycle = \(then.label)
                WHERE id = \(try #require(UUID(uuidString: id)))
                """)
            try await billing.capture(bought)
            let rental = try await billing.database.count("SELECT rate::int FROM billing.rates WHERE plan = 'compact' AND item = 'did.rental'")
            #expect(try await billing.balance(company) == .rupees(1_500) - Money(paise: Int64(rental)))
            #expect(try await billing.database.count(
                "SELECT count(*) FROM billing.ledger WHERE company_id = '\(company.uuid)' AND kind = 'did_rental' AND source LIKE 'did_rental:%'") == 2)
        }
    }

    @Test("BI-21: an upgrade paid after another one changed the plan credits the wallet instead of applying a price from another plan")
    func lateUpgradeCredited() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            try await billing.recharge(company, .rupees(1_500))
            let stale = try await billing.call("POST", "/v1/billing/plan", as: company, json: #"{"plan":"enterprise"}"#)
            #expect(stale.status == 201)
            let staleAmount = try #require(try stale.json()["amount"] as? Int)
            let staleID = try #require(try stale.json()["id"] as? String)
            // Left unpaid for two hours (it expires), then a cheaper upgrade is asked for and paid.
            try await billing.database.query(
                "UPDATE billing.payments SET created_at = created_at - interval '2 hours' WHERE id = \(UUID(uuidString: staleID))")
            let sedan = try await billing.call("POST", "/v1/billing/plan", as: company, json: #"{"plan":"sedan"}"#)
            #expect(sedan.status == 201, "\(sedan.text)")
            try await billing.capture(sedan)
            #expect(try await billing.call("GET", "/v1/billing/account", as: company).json()["plan"] as? String == "sedan")
            // The first checkout is completed late: it was priced from Compact, so it is a wallet credit now.
            try await billing.capture(stale)
            #expect(try await billing.call("GET", "/v1/billing/account", as: company).json()["plan"] as? String == "sedan")
            #expect(try await billing.balance(company) == .rupees(1_500) + Money(paise: Int64(staleAmount)))
        }
    }

    @Test("BI-19, BI-32: a number purchase captured for the wrong amount is held for review and frees the number; the corrected capture still buys it")
    func numberHeldForReview() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            try await billing.recharge(company, .rupees(1_500))
            let number = BillingHarness.unusedNumber()
            let bought = try await billing.call("POST", "/v1/billing/dids", as: company, json: #"{"number":"\#(number)"}"#)
            #expect(bought.status == 201, "\(bought.text)")
            let id = try #require(try bought.json()["id"] as? String)
            let total = try #require(try bought.json()["total_payable"] as? Int)
            let short = try await billing.providerWebhook(#"{"event":"payment.captured","payment_id":"\#(id)","amount":\#(total - 100)}"#)
            #expect(try short.json()["status"] as? String == "review")
            func status() async throws -> String? {
                let items = try await billing.call("GET", "/v1/billing/dids", as: company).json()["items"] as? [[String: any Sendable]]
                return items?.first { $0["number"] as? String == number }?["status"] as? String
            }
            #expect(try await status() == "released", "not held while the payment waits for review")
            let corrected = try await billing.providerWebhook(
                #"{"event":"payment.captured","payment_id":"\#(id)","provider_reference":"corrected","amount":\#(total)}"#)
            #expect(try corrected.json()["status"] as? String == "succeeded")
            #expect(try await status() == "active", "nobody took it meanwhile: the paid purchase is delivered")
            #expect(try await billing.balance(company) == .rupees(1_500), "delivered, not credited")
        }
    }

    @Test("BI-19, BI-21, D-22, BI-35: numbers and upgrades are paid and invoiced; the cycle job charges rentals once")
    func numbersPlansAndCycles() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            try await billing.recharge(company, .rupees(1_500))
            let number = BillingHarness.unusedNumber()
            let tap = try await EventTap.open("numbers", bindings: ["billing.did.*"])
            let bought = try await billing.call("POST", "/v1/billing/dids", as: company, json: #"{"number":"\#(number)"}"#)
            #expect(bought.status == 201)
            #expect(try bought.json()["purpose"] as? String == "did_purchase")
            let lines = try #require(try bought.json()["lines"] as? [[String: any Sendable]])
            #expect(lines.first?["amount"] as? Int == 100_000)
            let taken = try await billing.call("POST", "/v1/billing/dids", as: CompanyID(), json: #"{"number":"\#(number)"}"#)
            #expect(taken.status == 409)
            #expect(try taken.errorCode() == "did.exists")
            try await billing.capture(bought)
            #expect(try await billing.balance(company) == .rupees(1_500), "a number is paid directly, not from the wallet")
            let numbers = try await billing.call("GET", "/v1/billing/dids", as: company)
            #expect((try numbers.json()["items"] as? [[String: any Sendable]])?.first?["status"] as? String == "active")
            // CallRouter lets the company route the number once it hears of it.
            func announced(_ type: EventType) async throws -> Int {
                let mine = { (event: EncodedEnvelope) in event.header.type == type && event.mentions(number) && event.header.companyID == company }
                return try await tap.events(matching: mine, timeout: .seconds(20)).count
            }
            #expect(try await announced(.billingNumberActivated) == 1)
            let invoices = try #require(try await billing.call("GET", "/v1/billing/invoices", as: company).json()["items"] as? [[String: any Sendable]])
            let didInvoice = try #require(invoices.first { $0["reason"] as? String == "did_purchase" })
            #expect((didInvoice["taxable"] as? Int).map { $0 > 100_000 } == true)
            let taxable = try #require(didInvoice["taxable"] as? Int)
            #expect(didInvoice["gst"] as? Int == Int(Tax.gst(on: Money(paise: Int64(taxable))).paise))

            // BI-21: a downgrade is queued; an upgrade is a payment that changes the plan when captured.
            let upgrade = try await billing.call("POST", "/v1/billing/plan", as: company, json: #"{"plan":"sedan"}"#)
            #expect(upgrade.status == 201)
            #expect(try upgrade.json()["purpose"] as? String == "plan_upgrade")
            try await billing.capture(upgrade)
            #expect(try await billing.call("GET", "/v1/billing/account", as: company).json()["plan"] as? String == "sedan")
            let same = try await billing.call("POST", "/v1/billing/plan", as: company, json: #"{"plan":"sedan"}"#)
            #expect(try same.errorCode() == "plan.unchanged")
            let downgrade = try await billing.call("POST", "/v1/billing/plan", as: company, json: #"{"plan":"compact"}"#)
            #expect(downgrade.status == 200)
            #expect(try downgrade.json()["pending_plan"] as? String == "compact")

            // The cycle job catches up from the previous cycle: it charges that cycle's rental from the wallet and
            // skips the current one, already paid with the number. The previous cycle starts two months before the
            // current one ends (not a month before now: just after a company-time midnight on a billing day, that is
            // two cycles back). The number was bought before it (backdated); a second one, bought now, paid its own
            // cycle and is not charged for one that ended before it was bought.
            let later = BillingHarness.unusedNumber()
            try await billing.capture(try await billing.call("POST", "/v1/billing/dids", as: company, json: #"{"number":"\#(later)"}"#))
            try await billing.database.query(
                "UPDATE billing.dids SET purchased_at = purchased_at - interval '3 months' WHERE company_id = \(company.uuid) AND number = \(number)")
            try await billing.database.query(
                "UPDATE billing.accounts SET next_cycle_at = next_cycle_at - interval '2 months' WHERE company_id = \(company.uuid)")
            try await eventually(timeout: .seconds(30), "the cycle job ran") {
                try await billing.database.count(
                    "SELECT count(*) FROM billing.accounts WHERE company_id = '\(company.uuid)' AND next_cycle_at > now()") == 1
            }
            #expect(try await billing.database.count(
                "SELECT count(*) FROM billing.ledger WHERE company_id = '\(company.uuid)' AND kind = 'did_rental' AND debit = 'wallet'") == 1)
            #expect(try await billing.balance(company) == .rupees(1_300))
            // BI-20, BI-21: the downgrade waits for the end of the paid plan year (BillingRenewalTests).
            let account = try await billing.call("GET", "/v1/billing/account", as: company)
            #expect(try account.json()["plan"] as? String == "sedan")
            #expect(try account.json()["pending_plan"] as? String == "compact")

            // The statement's months are the company's (D-29), not UTC's.
            var kolkata = Calendar(identifier: .gregorian)
            kolkata.timeZone = .kolkata
            let today = kolkata.dateComponents([.year, .month], from: Date())
            let month = String(format: "%04d-%02d", today.year ?? 0, today.month ?? 0)
            let statement = try await billing.call("GET", "/v1/billing/statement?month=\(month)", as: company)
            #expect(statement.status == 200)
            #expect(try statement.json()["recharges"] as? Int == 150_000)
            #expect(try statement.json()["closing_balance"] as? Int == 130_000)
            #expect((try statement.json()["invoices"] as? [Any])?.count == 4, "the recharge, two numbers, the upgrade")
            #expect(try await billing.call("GET", "/v1/billing/statement?month=2026-13", as: company).status == 400)

            // SLA-04, BI-36: a month below target refunds a share of its rental as one credit note, however often
            // the event arrives.
            let publisher = try TestEnvironment.connection("billing-sla")
            publisher.start()
            try await publisher.waitUntilConnected()
            let rental = try await billing.database.count(
                "SELECT sum(amount)::int FROM billing.ledger WHERE company_id = '\(company.uuid)' AND kind = 'did_rental' AND occurred_at >= date_trunc('month', now() AT TIME ZONE 'Asia/Kolkata') AT TIME ZONE 'Asia/Kolkata'")
            let closed = SLAMonthClosed(month: month, component: "incoming/calls/delhi-tata", uptimeBasisPoints: 9_650, failures: 31, refundPercent: 25)
            let before = try await billing.balance(company)
            for _ in 0..<2 {
                try await publisher.publishUntilConfirmed([try EncodedEnvelope(Envelope(companyID: company, data: closed))])
            }
            try await eventually(timeout: .seconds(30), "the credit note") {
                try await billing.database.count(
                    "SELECT count(*) FROM billing.invoices WHERE company_id = '\(company.uuid)' AND kind = 'credit_note'") == 1
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await billing.database.count(
                "SELECT count(*) FROM billing.invoices WHERE company_id = '\(company.uuid)' AND kind = 'credit_note'") == 1)
            #expect(try await billing.balance(company) == before + SLARefund.amount(rental: Money(paise: Int64(rental)), percent: 25))

            // SLA-04: a second component far below target tops the month's refund up to the whole rental, and a
            // third one adds nothing: a month never refunds more than its rental.
            for (component, percent) in [("outbound/whatsapp/meta", 100), ("sms/gupshup", 50)] {
                let worse = SLAMonthClosed(month: month, component: component, uptimeBasisPoints: 8_900, failures: 90, refundPercent: percent)
                try await publisher.publishUntilConfirmed([try EncodedEnvelope(Envelope(companyID: company, data: worse))])
            }
            try await eventually(timeout: .seconds(30), "the top-up credit note") {
                try await billing.balance(company) == before + Money(paise: Int64(rental))
            }
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await billing.balance(company) == before + Money(paise: Int64(rental)))
            // Two batches may apply the 100 % and 50 % events in either order: 50 % first is one more credit note
            // (25 → 50 → 100 %), never more money.
            let notes = try await billing.database.count(
                "SELECT count(*) FROM billing.invoices WHERE company_id = '\(company.uuid)' AND kind = 'credit_note'")
            #expect((2...3).contains(notes))
            await publisher.shutdown()

            let released = try await billing.call("DELETE", "/v1/billing/dids/\(number)", as: company)
            #expect(try released.json()["status"] as? String == "released")
            #expect(try await billing.call("DELETE", "/v1/billing/dids/\(number)", as: company).status == 404)
            #expect(try await announced(.billingNumberReleased) == 1)
            await tap.close()

            // Bought again in the same cycle: its rental for the cycle was paid with the first purchase; only the
            // setup fee is asked.
            let setup = try await billing.database.count("SELECT rate::int FROM billing.rates WHERE plan = 'compact' AND item = 'did.setup'")
            let again = try await billing.call("POST", "/v1/billing/dids", as: company, json: #"{"number":"\#(number)"}"#)
            #expect(again.status == 201, "\(again.text)")
            #expect(try again.json()["amount"] as? Int == setup)
        }
    }
}

@Suite("Billing rate import")
struct BillingRateImportTests {
    @Test("BI-15, BI-41: a rate card CSV is imported whole or not at all, and the next rating uses it")
    func importRates() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            let before = try await billing.call("GET", "/v1/billing/rates", as: company)
            let rates = try #require(try before.json()["rates"] as? [String: any Sendable])
            let old = try #require(rates["whatsapp.authentication"] as? Int)

            let refused = try await RateImport.run(
                csv: "plan,item,rate\ncompact,whatsapp.authentication,0.99\ncompact,whatsapp.bogus,1\n", database: billing.database)
            #expect(refused == .refused(["line 3: rates.item: Unknown item \"whatsapp.bogus\"."]))
            let unchanged = try await billing.call("GET", "/v1/billing/rates", as: company)
            #expect((try unchanged.json()["rates"] as? [String: any Sendable])?["whatsapp.authentication"] as? Int == old)

            let newRate = old + 1
            let imported = try await RateImport.run(
                csv: "plan,item,rate\ncompact,whatsapp.authentication,\(Money(paise: Int64(newRate)).rupeeString)\n", database: billing.database)
            #expect(imported == .imported(1))
            let after = try await billing.call("GET", "/v1/billing/rates", as: company)
            #expect((try after.json()["rates"] as? [String: any Sendable])?["whatsapp.authentication"] as? Int == newRate)
            // Put the shared rate back for the other tests.
            _ = try await RateImport.run(
                csv: "plan,item,rate\ncompact,whatsapp.authentication,\(Money(paise: Int64(old)).rupeeString)\n", database: billing.database)
        }
    }
}

@Suite("Billing corrections")
struct BillingCorrectionTests {
    @Test("BI-36: a correction credit note gives back at most the invoice's value, once, and credits the wallet")
    func correction() async throws {
        try await withBilling { billing in
            let company = CompanyID()
            try await billing.recharge(company, .rupees(2_000))
            let tooMuch = try await CorrectionCommand.run(
                company: company, invoiceNumber: "INV-000001", amount: .rupees(2_001), reason: "double charge", database: billing.database)
            #expect(tooMuch == .refused("a correction of INV-000001 can give back at most ₹2000.00"))
            let unknown = try await CorrectionCommand.run(
                company: company, invoiceNumber: "INV-000009", amount: .rupees(1), reason: "typo", database: billing.database)
            #expect(unknown == .refused("company \(company) has no invoice INV-000009"))
            let issued = try await CorrectionCommand.run(
                company: company, invoiceNumber: "INV-000001", amount: .rupees(250), reason: "wrong GSTIN", database: billing.database)
            #expect(issued == .issued(number: "CN-000001"))
            let again = try await CorrectionCommand.run(
                company: company, invoiceNumber: "INV-000001", amount: .rupees(250), reason: "wrong GSTIN", database: billing.database)
            #expect(again == .refused("INV-000001 was already corrected"))
            #expect(try await billing.balance(company) == .rupees(2_250))
            let notes = try #require(try await billing.call("GET", "/v1/billing/invoices", as: company).json()["items"] as? [[String: any Sendable]])
            let note = try #require(notes.first { $0["kind"] as? String == "credit_note" })
            #expect(note["taxable"] as? Int == 25_000)
            #expect(note["total"] as? Int == 29_500)
        }
    }
}

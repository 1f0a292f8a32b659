import Contracts
import Foundation
import PostgresNIO
import ServiceKit
import Storage
import Testing

/// CA-49, CA-50, CA-58 against a running Campaigns: a number's Live Chat inbox, who may answer each chat, and the
/// chat's journey.
@Suite("WhatsApp Live Chat ownership")
struct LiveChatTests {
    typealias JSON = [String: any Sendable]

    static func chats(_ harness: CampaignsHarness, _ company: CompanyID, number: String, query: String = "", as user: UserID = UserID(), role: Role = .owner)
        async throws -> (contacts: [String], page: JSON)
    {
        let reply = try await harness.call("GET", "/v1/whatsapp/numbers/\(number)/chats\(query)", as: company, user: user, role: role)
        #expect(reply.status == 200, "\(reply.text)")
        let page = try reply.json()
        return (((page["items"] as? [JSON]) ?? []).compactMap { $0["contact"] as? String }, page)
    }

    static func field(_ reply: ServiceClient.Reply) throws -> String? { (try reply.json()["error"] as? JSON)?["field"] as? String }

    @Test("CA-49, CA-50, CA-58: the first agent to answer takes the chat; others read only until a manager reassigns; a resolved chat reopens when the customer writes")
    func ca50ChatOwnership() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            let (asha, ravi, meera) = (UserID(), UserID(), UserID())
            let customer = "+919811100051"
            func send(_ user: UserID, _ role: Role, _ text: String) async throws -> ServiceClient.Reply {
                try await harness.call(
                    "POST", "/v1/whatsapp/messages", as: company, user: user, role: role,
                    json: #"{"number_id":"\#(number)","to":"\#(customer)","text":"\#(text)"}"#)
            }
            func chat() async throws -> JSON {
                let reply = try await harness.call("GET", "/v1/whatsapp/numbers/\(number)/chats/\(customer)", as: company, role: .agent)
                #expect(reply.status == 200, "\(reply.text)")
                return try reply.json()
            }
            #expect(try await harness.call("GET", "/v1/whatsapp/numbers/\(number)/chats/\(customer)", as: company).status == 404)
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100051", name: "Kiran", text: "Hi")).status == 200)
            var current = try await chat()
            #expect(current["state"] as? String == "open")
            #expect(current["assignee"] == nil)
            #expect(current["contact_name"] as? String == "Kiran")

            // Asha answers first and takes it; Ravi reads it only; a manager answers without taking it over.
            #expect(try await send(asha, .agent, "Hello, Asha here").status == 202)
            current = try await chat()
            #expect(current["state"] as? String == "assigned")
            #expect(current["assignee"] as? String == asha.description)
            let byRavi = try await send(ravi, .agent, "Ravi here")
            #expect(byRavi.status == 403)
            #expect(try byRavi.errorCode() == "chat.assigned_elsewhere")
            #expect(try Self.field(byRavi) == "to")
            #expect(try await send(asha, .agent, "Your order ships today").status == 202)
            // Nor does Ravi get in another way: a canned message, an interactive one, or a template while the window is open.
            let canned = try await harness.call(
                "POST", "/v1/whatsapp/canned-messages", as: company, role: .manager, json: #"{"shortcut":"hi","text":"Hi {{contact.name}}"}"#)
            let cannedID = try #require(try canned.json()["id"] as? String)
            let template = try await harness.approvedTemplate(company)
            for json in [
                #"{"number_id":"\#(number)","to":"\#(customer)","canned_id":"\#(cannedID)"}"#,
                #"{"number_id":"\#(number)","to":"\#(customer)","interactive":{"type":"buttons","body":"Rate us","buttons":[{"id":"ok","title":"OK"}]}}"#,
                #"{"number_id":"\#(number)","to":"\#(customer)","template_id":"\#(template)","values":{"body":["A-1"]}}"#,
            ] {
                let sideways = try await harness.call("POST", "/v1/whatsapp/messages", as: company, user: ravi, role: .agent, json: json)
                #expect(sideways.status == 403, "\(json): \(sideways.text)")
                #expect(try sideways.errorCode() == "chat.assigned_elsewhere")
            }
            #expect(try await send(meera, .manager, "Manager here").status == 202)
            #expect(try await chat()["assignee"] as? String == asha.description)
            #expect(try await AutoReplyTests.texts(harness, company: company, to: customer) == ["Hello, Asha here", "Your order ships today", "Manager here"])

            // The inbox by state and owner.
            #expect(try await Self.chats(harness, company, number: number, query: "?state=assigned&assignee=me", as: asha, role: .agent).contacts == [customer])
            #expect(try await Self.chats(harness, company, number: number, query: "?state=assigned&assignee=me", as: ravi, role: .agent).contacts == [])
            #expect(try await Self.chats(harness, company, number: number, query: "?state=open", as: ravi, role: .agent).contacts == [])

            // Only a supervisor reassigns.
            let byAgent = try await harness.call(
                "PUT", "/v1/whatsapp/numbers/\(number)/chats/\(customer)/assignee", as: company, user: asha, role: .agent,
                json: #"{"user_id":"\#(ravi)"}"#)
            #expect(byAgent.status == 403)
            let reassigned = try await harness.call(
                "PUT", "/v1/whatsapp/numbers/\(number)/chats/\(customer)/assignee", as: company, user: meera, role: .manager,
                json: #"{"user_id":"\#(ravi)"}"#)
            #expect(reassigned.status == 200, "\(reassigned.text)")
            #expect(try reassigned.json()["assignee"] as? String == ravi.description)
            #expect(try await send(asha, .agent, "Asha again").status == 403)
            #expect(try await send(ravi, .agent, "Ravi takes over").status == 202)

            // Asha cannot resolve Ravi's chat; Ravi can. Then nobody replies until the customer writes.
            let resolveByAsha = try await harness.call("POST", "/v1/whatsapp/numbers/\(number)/chats/\(customer)/resolve", as: company, user: asha, role: .agent)
            #expect(resolveByAsha.status == 403)
            let resolved = try await harness.call("POST", "/v1/whatsapp/numbers/\(number)/chats/\(customer)/resolve", as: company, user: ravi, role: .agent)
            #expect(resolved.status == 200, "\(resolved.text)")
            #expect(try resolved.json()["state"] as? String == "closed")
            let afterResolve = try await send(ravi, .agent, "One more thing")
            #expect(afterResolve.status == 409)
            #expect(try afterResolve.errorCode() == "chat.resolved")
            #expect(try await send(meera, .owner, "Owner here").status == 409)
            #expect(try await Self.chats(harness, company, number: number, query: "?state=closed", role: .agent).contacts == [customer])

            // A reaction to the last reply leaves it resolved.
            let reaction = #"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"\#(phoneNumberID)"},"messages":[{"from":"919811100051","id":"wamid.in.reaction.\#(number)","timestamp":"\#(Int(Date().timeIntervalSince1970) + 1)","type":"reaction","reaction":{"message_id":"wamid.x","emoji":"👍"}}]}}]}]}"#
            #expect(try await harness.webhook(reaction).status == 200)
            #expect(try await chat()["state"] as? String == "closed")
            #expect(try await send(ravi, .agent, "Still resolved").status == 409)

            // The customer writes again: a new chat, open to everyone; Asha takes it this time.
            #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: "919811100051", text: "Me again")).status == 200)
            current = try await chat()
            #expect(current["state"] as? String == "open")
            #expect(current["assignee"] == nil)
            #expect(try await send(asha, .agent, "Welcome back").status == 202)
            #expect(try await AutoReplyTests.texts(harness, company: company, to: customer).count == 5)

            // CA-58: the journey, in order, with who did what.
            let journey = try await harness.call("GET", "/v1/whatsapp/numbers/\(number)/chats/\(customer)/journey", as: company, role: .agent)
            #expect(journey.status == 200)
            let steps = (try journey.json()["items"] as? [JSON]) ?? []
            #expect(steps.compactMap { $0["kind"] as? String } == ["opened", "auto_assigned", "reassigned", "resolved", "opened", "auto_assigned"])
            #expect(steps.compactMap { $0["actor"] as? String } == [asha, meera, ravi, asha].map(\.description))
            #expect(steps.compactMap { $0["assignee"] as? String } == [asha, ravi, ravi, asha].map(\.description))

            // Another company sees none of it.
            let (other, _, _) = try await harness.company()
            #expect(try await harness.call("GET", "/v1/whatsapp/numbers/\(number)/chats", as: other).status == 404)
            #expect(try await harness.call("GET", "/v1/whatsapp/numbers/\(number)/chats/\(customer)/journey", as: other).status == 404)
        }
    }

    @Test("CA-50: two agents answering an open chat at once: one takes it, the other is refused")
    func ca50ConcurrentAnswers() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            let contacts = (0..<4).map { "9198111001\(60 + $0)" }
            for contact in contacts {
                #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: contact, text: "Hi")).status == 200)
            }
            for contact in contacts {
                // The chat's row is held locked while both requests arrive, so they meet at the lock: the one that gets
                // it next takes the chat, and the other must see that, not the open chat it read before.
                let agents = [UserID(), UserID()]
                let statuses = try await harness.database.withTransaction { transaction in
                    try await transaction.query("SELECT 1 FROM campaigns.windows WHERE contact = \("+" + contact) AND company_id = \(company.uuid) FOR UPDATE")
                    let requests = agents.map { agent in
                        Task {
                            try await harness.call(
                                "POST", "/v1/whatsapp/messages", as: company, user: agent, role: .agent,
                                json: #"{"number_id":"\#(number)","to":"+\#(contact)","text":"Hello"}"#
                            ).status
                        }
                    }
                    try await eventually(timeout: .seconds(20), "both requests wait for the chat's row") {
                        try await harness.count(
                            """
                            SELECT count(*) FROM pg_stat_activity
                            WHERE wait_event_type = 'Lock' AND query LIKE '%windows%FOR UPDATE%' AND pid <> pg_backend_pid()
                            """) == 2
                    }
                    return requests
                }
                var answered: [Int] = []
                for request in statuses { answered.append(try await request.value) }
                #expect(answered.sorted() == [202, 403], "\(contact)")
                #expect(try await AutoReplyTests.texts(harness, company: company, to: "+" + contact).count == 1)
            }
        }
    }

    @Test("CA-49: the inbox pages without gaps or repeats; an inactive chat is closed and cannot be assigned; bad input is a 4xx naming the field")
    func ca49Inbox() async throws {
        try await withCampaigns { harness in
            let (company, number, phoneNumberID) = try await harness.company()
            let contacts = (0..<5).map { "9198111001\(70 + $0)" }
            for (index, contact) in contacts.enumerated() {
                let at = Date().addingTimeInterval(Double(index - 10))
                #expect(try await harness.webhook(CampaignsHarness.inbound(phoneNumberID, from: contact, text: "Hi", at: at)).status == 200)
            }
            var seen: [String] = []
            var query = "?limit=2"
            for _ in 0..<5 {
                let (page, json) = try await Self.chats(harness, company, number: number, query: query, role: .agent)
                seen += page
                guard let next = json["next"] as? String else { break }
                query = "?limit=2&after=\(next)"
            }
            #expect(seen == contacts.reversed().map { "+" + $0 }, "the latest message first, each chat once")

            // A chat whose customer wrote over 24 hours ago is closed, and there is no one to give it to.
            let idle = "+" + contacts[0]
            try await harness.database.query(
                "UPDATE campaigns.windows SET last_inbound_at = now() - interval '25 hours' WHERE contact = \(idle) AND company_id = \(company.uuid)")
            #expect(try await Self.chats(harness, company, number: number, query: "?state=closed").contacts == [idle])
            #expect(try await Self.chats(harness, company, number: number, query: "?state=open").contacts.count == 4)
            let inactive = try await harness.call(
                "PUT", "/v1/whatsapp/numbers/\(number)/chats/\(idle)/assignee", as: company, role: .manager, json: #"{"user_id":"\#(UserID())"}"#)
            #expect(inactive.status == 409)
            #expect(try inactive.errorCode() == "chat.inactive")

            let bad: [(String, String, String?, Int, String)] = [
                ("GET", "/v1/whatsapp/numbers/\(number)/chats?state=waiting", nil, 400, "state"),
                ("GET", "/v1/whatsapp/numbers/\(number)/chats?assignee=nobody", nil, 400, "assignee"),
                ("GET", "/v1/whatsapp/numbers/\(number)/chats?limit=0", nil, 400, "limit"),
                ("GET", "/v1/whatsapp/numbers/\(number)/chats?first_message=tv", nil, 400, "first_message"),
                ("GET", "/v1/whatsapp/numbers/\(number)/chats?after=yesterday", nil, 400, "after"),
                // A forged instant past what PostgreSQL can turn back into a time: refused, not a 500.
                ("GET", "/v1/whatsapp/numbers/\(number)/chats?after=9223372036854775807-919811100051", nil, 400, "after"),
                ("GET", "/v1/whatsapp/numbers/\(number)/chats/12345", nil, 422, "contact"),
                ("GET", "/v1/whatsapp/numbers/\(number)/chats/+919811109999", nil, 404, "contact"),
                ("PUT", "/v1/whatsapp/numbers/\(number)/chats/+\(contacts[1])/assignee", "{}", 400, "user_id"),
                ("PUT", "/v1/whatsapp/numbers/\(number)/chats/+\(contacts[1])/assignee", #"{"user_id":"Ravi"}"#, 400, "user_id"),
            ]
            for (method, path, json, status, field) in bad {
                let reply = try await harness.call(method, path, as: company, role: .manager, json: json)
                #expect(reply.status == status, "\(method) \(path): \(reply.text)")
                #expect(try Self.field(reply) == field, "\(method) \(path): \(reply.text)")
            }
            // Returning a chat to the open queue.
            let owner = UserID()
            let given = try await harness.call(
                "PUT", "/v1/whatsapp/numbers/\(number)/chats/+\(contacts[1])/assignee", as: company, role: .manager, json: #"{"user_id":"\#(owner)"}"#)
            #expect(try given.json()["state"] as? String == "assigned")
            let returned = try await harness.call(
                "PUT", "/v1/whatsapp/numbers/\(number)/chats/+\(contacts[1])/assignee", as: company, role: .manager, json: #"{"user_id":null}"#)
            #expect(try returned.json()["state"] as? String == "open")
            #expect(try returned.json()["assignee"] == nil)
        }
    }
}

@testable import CallRouter
import AsyncHTTPClient
import Contracts
import Foundation
import Hummingbird
import Messaging
import ServiceKit
import Storage
import Testing

/// The CallRouter configuration, outbound and call-log APIs against the real service and database.
@Suite("CallRouter API")
struct CallRouterAPITests {
    @Test("D-03, CR-05, CR-09, CR-10, CR-67: invalid flows answer 422 with node ids; drafts never touch live calls; live flows and their numbers are protected")
    func flowsAndPublishing() async throws {
        try await withCallRouter { router in
            let company = CompanyID()
            let agent = try #require(try await router.create(
                "/v1/users", as: company, json: #"{"name":"Asha","email":"asha@example.com","mobile":"9876543210","extension":21,"role":"agent"}"#)["id"] as? String)
            let sales = try #require(try await router.create(
                "/v1/departments", as: company, json: #"{"name":"Sales","members":["\#(agent)"],"strategy":"serial"}"#)["id"] as? String)
            func graph(_ prompt: String, _ options: String) -> String {
                #"{"start":"main","nodes":[{"id":"main","type":"menu","prompt":"\#(prompt)","options":{\#(options)}},{"id":"sales","type":"department","department_id":"\#(sales)"}]}"#
            }
            let flow = try #require(try await router.create(
                "/v1/flows", as: company, json: #"{"name":"Main","graph":\#(graph("welcome.mp3", #""1":"sales","0":"sales","2":"ghost""#))}"#)["id"] as? String)

            let invalid = try await router.call("POST", "/v1/flows/\(flow)/publish", as: company)
            #expect(invalid.status == 422)
            #expect(try invalid.errorCode() == "callflow.invalid")
            let violations = try #require((try invalid.json()["error"] as? [String: Any])?["violations"] as? [[String: Any]])
            #expect(Set(violations.compactMap { $0["field"] as? String }) == ["nodes[main].options.0", "nodes[main].options.2"])
            #expect(Set(violations.compactMap { $0["code"] as? String }) == ["callflow.menu.reserved_key", "callflow.target.missing"])

            let fixed = try await router.call("PUT", "/v1/flows/\(flow)/draft", as: company, json: #"{"graph":\#(graph("welcome.mp3", #""1":"sales""#)),"version":1}"#)
            #expect(fixed.status == 200)
            #expect(try fixed.json()["draft_version"] as? Int == 2)
            let stale = try await router.call("PUT", "/v1/flows/\(flow)/draft", as: company, json: #"{"graph":\#(graph("x.mp3", #""1":"sales""#)),"version":1}"#)
            #expect(stale.status == 409)
            #expect(try stale.errorCode() == "callflow.version_conflict")
            let published = try await router.call("POST", "/v1/flows/\(flow)/publish", as: company)
            #expect(published.status == 200)
            #expect(try published.json()["published_version"] as? Int == 1)

            let did = TelephonyOffice.randomNumber()
            try await router.createNumber(did, as: company, json: #"{"number":"\#(did)","type":"virtual","flow_id":"\#(flow)"}"#)
            let phone = ScriptedSwitch(router: router)
            let live = try await phone.start(did: did, caller: "+919811100001")
            #expect(live.instructions.first?["audio"] as? String == "welcome.mp3")
            let uid = try #require(live.uid)

            // A new draft changes nothing until published; once published, new calls get it and the live call keeps v1.
            let draft = try await router.call("PUT", "/v1/flows/\(flow)/draft", as: company, json: #"{"graph":\#(graph("new.mp3", #""1":"sales""#))}"#)
            #expect(draft.status == 200)
            let second = try await phone.start(did: did, caller: "+919811100002")
            #expect(second.instructions.first?["audio"] as? String == "welcome.mp3")
            #expect(try await router.call("POST", "/v1/flows/\(flow)/publish", as: company).status == 200)
            let third = try await phone.start(did: did, caller: "+919811100003")
            #expect(third.instructions.first?["audio"] as? String == "new.mp3")
            #expect(try await phone.event(uid, "no_input").instructions.first?["audio"] as? String == "welcome.mp3")

            // CR-10: an active flow is never deleted; CR-67: its number cannot be deleted while it answers on it.
            let delete = try await router.call("DELETE", "/v1/flows/\(flow)", as: company)
            #expect(delete.status == 409)
            #expect(try delete.errorCode() == "callflow.active_cannot_delete")
            let encodedDID = did.replacingOccurrences(of: "+", with: "%2B")
            let deleteDID = try await router.call("DELETE", "/v1/dids/\(encodedDID)", as: company)
            #expect(deleteDID.status == 409)
            #expect(try deleteDID.errorCode() == "did.in_use")
            #expect(try await router.call("DELETE", "/v1/dids/\(encodedDID)", as: company, role: .manager).status == 403)
            #expect(try await router.call("POST", "/v1/flows/\(flow)/disable", as: company).status == 200)
            #expect(try await phone.start(did: did, caller: "+919811100004").hangupReason == "no_flow")
            // The live call is still on the number; after it ends the number can go.
            #expect(try await router.call("DELETE", "/v1/dids/\(encodedDID)", as: company).status == 409)
            for live in [uid, second.uid, third.uid] { _ = try await phone.hangup(try #require(live)) }
            let missed = try await router.call("GET", "/v1/calls?status=missed", as: company).json()["items"] as? [[String: Any]] ?? []
            #expect(!missed.isEmpty, "the calls hung up unanswered are missed")
            for call in missed where call["status"] as? String != "missed" { Issue.record("filter by status returned \(call)") }
            #expect(try await router.call("DELETE", "/v1/dids/\(encodedDID)", as: company).status == 204)

            let scratch = try #require(try await router.create("/v1/flows", as: company, json: #"{"graph":\#(graph("a.mp3", #""1":"sales""#))}"#)["id"] as? String)
            #expect(try await router.call("DELETE", "/v1/flows/\(scratch)", as: company).status == 204)
            #expect(try await router.call("GET", "/v1/flows/\(scratch)", as: company).status == 404)
            // Another company sees none of it (D-28).
            #expect(try await router.call("GET", "/v1/flows/\(flow)", as: CompanyID()).status == 404)
        }
    }

    @Test("CR-26, CR-28, CR-35, CR-81, X-07, X-08, D-08, CR-39, D-27: users, extensions, departments and roles are checked at the edge")
    func usersDepartmentsRoles() async throws {
        try await withCallRouter { router in
            let company = CompanyID()
            func user(_ ext: String, role: String = "agent") -> String {
                #"{"name":"U\#(ext)","email":"u\#(ext)@example.com","mobile":"+919800012345","extension":\#(ext),"role":"\#(role)"}"#
            }
            for bad in ["9", "100", "-1"] {
                let reply = try await router.call("POST", "/v1/users", as: company, json: user(bad))
                #expect(reply.status == 422)
                #expect(try reply.errorCode() == "user.extension.invalid")
            }
            let first = try #require(try await router.create("/v1/users", as: company, json: user("21"))["id"] as? String)
            let taken = try await router.call("POST", "/v1/users", as: company, json: user("21"))
            #expect(taken.status == 409)
            #expect(try taken.errorCode() == "user.extension.taken")
            let missing = try await router.call("POST", "/v1/users", as: company, json: #"{"name":"X","email":"x@example.com","extension":22,"role":"agent"}"#)
            #expect(missing.status == 400)
            #expect(try missing.json()["error"].flatMap { ($0 as? [String: Any])?["field"] as? String } == "mobile")
            let badPhone = try await router.call("POST", "/v1/users", as: company, json: #"{"name":"X","email":"x@example.com","mobile":"12","extension":22,"role":"agent"}"#)
            #expect(try badPhone.errorCode() == "phone.invalid")

            // D-27: agents and managers cannot add users; CR-28: only owners and admins change extensions.
            #expect(try await router.call("POST", "/v1/users", as: company, role: .agent, json: user("23")).status == 403)
            #expect(try await router.call("PATCH", "/v1/users/\(first)", as: company, role: .manager, json: #"{"extension":31}"#).status == 403)
            let moved = try await router.call("PATCH", "/v1/users/\(first)", as: company, role: .admin, json: #"{"extension":31}"#)
            #expect(moved.status == 200)
            #expect(try moved.json()["extension"] as? Int == 31)
            #expect(try await router.call("GET", "/v1/calls", as: company, role: .billing).status == 403)

            // CR-29: an agent sets their own availability, not someone else's.
            let me = UserID(first)!
            let own = try await router.call("PUT", "/v1/users/\(first)/availability", as: company, user: me, role: .agent, json: #"{"availability":"away"}"#)
            #expect(own.status == 200)
            #expect(try own.json()["availability"] as? String == "away")
            #expect(try await router.call("PUT", "/v1/users/\(first)/availability", as: company, role: .agent, json: #"{"availability":"available"}"#).status == 403)
            let slots = try await router.call(
                "PUT", "/v1/users/\(first)/availability", as: company, role: .manager,
                json: #"{"availability":"available","time_slots":[{"days":[1,2,3],"start":"18:00","end":"09:00"}]}"#)
            #expect(slots.status == 422)
            #expect(try slots.errorCode() == "user.time_slots.invalid")

            // D-08, CR-39: department names and ring times.
            let long = try await router.call("POST", "/v1/departments", as: company, json: #"{"name":"Customer Success Team","strategy":"serial"}"#)
            #expect(long.status == 422)
            #expect(try long.errorCode() == "department.name.too_long")
            let ring = try await router.call("POST", "/v1/departments", as: company, json: #"{"name":"Sales","strategy":"serial","ring_seconds":30}"#)
            #expect(try ring.errorCode() == "department.ring_out_of_range")
            let stranger = try await router.call("POST", "/v1/departments", as: company, json: #"{"name":"Sales","strategy":"serial","members":["\#(UserID())"]}"#)
            #expect(try stranger.errorCode() == "department.member.unknown")
            let strategy = try await router.call("POST", "/v1/departments", as: company, json: #"{"name":"Sales","strategy":"random"}"#)
            #expect(strategy.status == 400)
            let sales = try #require(try await router.create(
                "/v1/departments", as: company, json: #"{"name":"Sales","strategy":"balanced","members":["\#(first)"]}"#)["id"] as? String)
            // D-27: a manager edits only the departments they manage, and cannot hand themselves another.
            let meera = UserID()
            #expect(try await router.call("PATCH", "/v1/departments/\(sales)", as: company, user: meera, role: .manager, json: #"{"name":"Mine now"}"#).status == 403)
            let grab = try await router.call("PATCH", "/v1/departments/\(sales)", as: company, user: meera, role: .manager, json: #"{"manager_id":"\#(meera)"}"#)
            #expect(grab.status == 403)
            let boss = try #require(try await router.create(
                "/v1/users", as: company, json: #"{"name":"Boss","email":"b@example.com","mobile":"+919800012399","extension":60,"role":"manager"}"#)["id"] as? String)
            #expect(try await router.call("PATCH", "/v1/departments/\(sales)", as: company, role: .admin, json: #"{"manager_id":"\#(boss)"}"#).status == 200)
            let rename = try await router.call(
                "PATCH", "/v1/departments/\(sales)", as: company, user: UserID(boss)!, role: .manager, json: #"{"name":"Inside Sales","sticky":"loose"}"#)
            #expect(rename.status == 200)
            #expect(try rename.json()["sticky"] as? String == "loose")
            #expect(try await router.call("PATCH", "/v1/departments/\(sales)", as: company, role: .agent, json: #"{"name":"X"}"#).status == 403)
            // D-27: nor delete one they do not manage; a department a manager creates is theirs.
            #expect(try await router.call("DELETE", "/v1/departments/\(sales)", as: company, user: meera, role: .manager).status == 403)
            let bossID = UserID(boss)!
            let handed = try await router.call(
                "POST", "/v1/departments", as: company, user: bossID, role: .manager, json: #"{"name":"Boss Team","strategy":"serial","manager_id":"\#(first)"}"#)
            #expect(handed.status == 403)
            let team = try await router.call("POST", "/v1/departments", as: company, user: bossID, role: .manager, json: #"{"name":"Boss Team","strategy":"serial"}"#)
            #expect(team.status == 201, "\(team.text)")
            #expect(try team.json()["manager_id"] as? String == boss)
            let teamID = try #require(try team.json()["id"] as? String)
            // D-03: a department or user another department falls back to cannot be deleted.
            let backup = try #require(try await router.create("/v1/users", as: company, json: user("44"))["id"] as? String)
            let overflow = try #require(try await router.create(
                "/v1/departments", as: company,
                json: #"{"name":"Overflow","strategy":"serial","fallback":{"type":"department","department_id":"\#(teamID)"}}"#)["id"] as? String)
            _ = try await router.create(
                "/v1/departments", as: company, json: #"{"name":"Night","strategy":"serial","fallback":{"type":"user","user_id":"\#(backup)"}}"#)
            let inUse = try await router.call("DELETE", "/v1/departments/\(teamID)", as: company, user: bossID, role: .manager)
            #expect(inUse.status == 409)
            #expect(try inUse.errorCode() == "department.in_use")
            let userInUse = try await router.call("DELETE", "/v1/users/\(backup)", as: company)
            #expect(userInUse.status == 409)
            #expect(try userInUse.errorCode() == "user.in_use")
            #expect(try await router.call("DELETE", "/v1/departments/\(overflow)", as: company).status == 204)
            #expect(try await router.call("DELETE", "/v1/departments/\(teamID)", as: company, user: bossID, role: .manager).status == 204)
            // D-08: 14 characters to Swift but 20 to the database's check: 422, never a 500.
            let emoji = try await router.call("POST", "/v1/departments", as: company, json: #"{"name":"Support team 👨‍👩‍👧‍👦","strategy":"serial"}"#)
            #expect(emoji.status == 422)
            #expect(try emoji.errorCode() == "department.name.too_long")

            // X-07: deleting a user drops them from departments.
            #expect(try await router.call("DELETE", "/v1/users/\(first)", as: company).status == 204)
            #expect(try await router.call("GET", "/v1/departments/\(sales)", as: company).json()["members"] as? [String] == [])
        }
    }

    @Test("X-03, D-27: admins do everything but hand on ownership; X-42: every user edits their own name and email")
    func ownershipAndProfiles() async throws {
        try await withCallRouter { router in
            let company = CompanyID()
            func user(_ ext: Int, role: String) -> String {
                #"{"name":"U\#(ext)","email":"u\#(ext)@example.com","mobile":"+9198000123\#(ext)","extension":\#(ext),"role":"\#(role)"}"#
            }
            // An admin cannot create an owner, promote someone to owner, demote, delete or re-number the owner.
            let made = try await router.call("POST", "/v1/users", as: company, role: .admin, json: user(21, role: "owner"))
            #expect(made.status == 403)
            #expect(try made.errorCode() == "auth.forbidden")
            #expect(made.text.contains("users.transfer_ownership"))
            #expect(try made.json()["error"].flatMap { ($0 as? [String: Any])?["field"] as? String } == "role")
            let owner = try #require(try await router.create("/v1/users", as: company, json: user(22, role: "owner"))["id"] as? String)
            let agent = try #require(try await router.create("/v1/users", as: company, json: user(23, role: "agent"))["id"] as? String)
            let promoted = try await router.call("PATCH", "/v1/users/\(agent)", as: company, role: .admin, json: #"{"role":"owner"}"#)
            #expect(promoted.status == 403)
            let demoted = try await router.call("PATCH", "/v1/users/\(owner)", as: company, role: .admin, json: #"{"role":"admin"}"#)
            #expect(demoted.status == 403)
            let renumbered = try await router.call("PATCH", "/v1/users/\(owner)", as: company, role: .admin, json: #"{"mobile":"+919800099999"}"#)
            #expect(renumbered.status == 403)
            #expect(try renumbered.json()["error"].flatMap { ($0 as? [String: Any])?["field"] as? String } == "mobile")
            #expect(try await router.call("DELETE", "/v1/users/\(owner)", as: company, role: .admin).status == 403)
            // Everything else about the owner is an admin's to change.
            let renamed = try await router.call("PATCH", "/v1/users/\(owner)", as: company, role: .admin, json: #"{"name":"Founder","extension":42}"#)
            #expect(renamed.status == 200, "\(renamed.text)")
            #expect(try await router.call("GET", "/v1/users/\(owner)", as: company).json()["role"] as? String == "owner")
            let email = try await router.call("PATCH", "/v1/users/\(owner)", as: company, role: .admin, json: #"{"email":"mine@example.com"}"#)
            #expect(email.status == 403)
            #expect(try email.json()["error"].flatMap { ($0 as? [String: Any])?["field"] as? String } == "email")
            // One owner: a second is 409, and the owner cannot step down or be deleted with nobody to follow.
            let second = try await router.call("POST", "/v1/users", as: company, user: UserID(owner)!, json: user(25, role: "owner"))
            #expect(second.status == 409)
            #expect(try second.errorCode() == "user.owner.exists")
            let stepDown = try await router.call("PATCH", "/v1/users/\(owner)", as: company, user: UserID(owner)!, json: #"{"role":"admin"}"#)
            #expect(try stepDown.errorCode() == "user.owner.last")
            #expect(try await router.call("DELETE", "/v1/users/\(owner)", as: company, user: UserID(owner)!).status == 409)
            // The owner hands ownership on to an existing user, and is an admin from then on.
            let handed = try await router.call("PATCH", "/v1/users/\(agent)", as: company, user: UserID(owner)!, json: #"{"role":"owner"}"#)
            #expect(handed.status == 200)
            #expect(try handed.json()["role"] as? String == "owner")
            #expect(try await router.call("GET", "/v1/users/\(owner)", as: company).json()["role"] as? String == "admin")
            // The former owner's token still says owner; their stored role is what counts.
            let back = try await router.call("PATCH", "/v1/users/\(owner)", as: company, user: UserID(owner)!, role: .owner, json: #"{"role":"owner"}"#)
            #expect(back.status == 403)
            #expect(try await router.call("GET", "/v1/users/\(agent)", as: company).json()["role"] as? String == "owner")
            // Deleted, the former owner has no row, and their token still says owner: with an owner row in place it
            // counts as an admin's.
            #expect(try await router.call("DELETE", "/v1/users/\(owner)", as: company, role: .admin).status == 204)
            let ghost = try await router.call("PATCH", "/v1/users/\(agent)", as: company, user: UserID(owner)!, role: .owner, json: #"{"role":"admin"}"#)
            #expect(ghost.status == 403)
            #expect(try await router.call("GET", "/v1/users/\(agent)", as: company).json()["role"] as? String == "owner")

            // X-42: an agent edits their own name and email, nothing else of theirs and nothing of anyone else's.
            let me = try #require(try await router.create("/v1/users", as: company, json: user(24, role: "agent"))["id"] as? String)
            let mine = try await router.call(
                "PATCH", "/v1/users/\(me)", as: company, user: UserID(me)!, role: .agent, json: #"{"name":"Asha K","email":"asha@example.com"}"#)
            #expect(mine.status == 200, "\(mine.text)")
            #expect(try mine.json()["name"] as? String == "Asha K")
            #expect(try mine.json()["email"] as? String == "asha@example.com")
            let ownRole = try await router.call("PATCH", "/v1/users/\(me)", as: company, user: UserID(me)!, role: .agent, json: #"{"name":"A","role":"admin"}"#)
            #expect(ownRole.status == 403)
            #expect(try ownRole.json()["error"].flatMap { ($0 as? [String: Any])?["field"] as? String } == "role")
            let away = try await router.call("PATCH", "/v1/users/\(me)", as: company, user: UserID(me)!, role: .agent, json: #"{"availability":"away"}"#)
            #expect(away.status == 403)
            #expect(away.text.contains("/availability"), "availability has its own endpoint")
            // The whole profile sent back as read, with only the name changed, is an edit of the name.
            let same = try await router.call(
                "PATCH", "/v1/users/\(me)", as: company, user: UserID(me)!, role: .agent,
                json: #"{"name":"Asha K","role":"agent","extension":24,"mobile":"+919800012324","availability":"available"}"#)
            #expect(same.status == 200, "\(same.text)")
            #expect(try await router.call("GET", "/v1/users/\(me)", as: company).json()["name"] as? String == "Asha K", "a refused change keeps nothing")
            #expect(try await router.call("PATCH", "/v1/users/\(owner)", as: company, user: UserID(me)!, role: .agent, json: #"{"name":"X"}"#).status == 403)

            // D-27: an admin demoted to agent is an agent from then on, whatever their token still says.
            let boss = try #require(try await router.create("/v1/users", as: company, json: user(26, role: "admin"))["id"] as? String)
            #expect(try await router.call("PATCH", "/v1/users/\(boss)", as: company, json: #"{"role":"agent"}"#).status == 200)
            #expect(try await router.call("POST", "/v1/users", as: company, user: UserID(boss)!, role: .admin, json: user(27, role: "agent")).status == 403)
            #expect(try await router.call("PATCH", "/v1/users/\(me)", as: company, user: UserID(boss)!, role: .admin, json: #"{"name":"Y"}"#).status == 403)
            #expect(try await router.call("DELETE", "/v1/users/\(me)", as: company, user: UserID(boss)!, role: .admin).status == 403)
            // The rest of the configuration follows the stored role too: settings, numbers, flows, the blocklist.
            let settings = try await router.call("PATCH", "/v1/callrouter/settings", as: company, user: UserID(boss)!, role: .admin, json: #"{"lines":3}"#)
            #expect(settings.status == 403)
            #expect(settings.text.contains("agent role lacks the permission callrouter.settings.manage"), "\(settings.text)")
            #expect(try await router.call("GET", "/v1/blocklist", as: company, user: UserID(boss)!, role: .admin).status == 403)
            #expect(try await router.call("GET", "/v1/flows", as: company, user: UserID(boss)!, role: .admin).status == 403)
            // A stored role above the token's does not widen it: the token is the ceiling.
            let promotedLater = try #require(try await router.create("/v1/users", as: company, json: user(28, role: "admin"))["id"] as? String)
            #expect(try await router.call("GET", "/v1/blocklist", as: company, user: UserID(promotedLater)!, role: .agent).status == 403)
            #expect(try await router.call("GET", "/v1/blocklist", as: company, user: UserID(promotedLater)!, role: .admin).status == 200)
            // Nor does it widen a scope: an agent's token for a user stored as admin reads the log as an agent would.
            let scoped = try await router.call("GET", "/v1/users/\(boss)", as: company, user: UserID(promotedLater)!, role: .agent)
            #expect(scoped.status == 403, "an agent reads only their own user")
            // A deleted user's token names a role nobody holds any more.
            let before = try await router.api.token(company, user: UserID(promotedLater)!, role: .admin)
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(try await router.call("DELETE", "/v1/users/\(promotedLater)", as: company).status == 204)
            let removed = try await router.call("GET", "/v1/blocklist", as: company, user: UserID(promotedLater)!, role: .admin)
            #expect(removed.status == 403)
            #expect(removed.text.contains("removed from the company"))
            #expect(try await router.call("POST", "/v1/users", as: company, user: UserID(promotedLater)!, role: .admin, json: user(29, role: "agent")).status == 403)
            // Added again under the same id (the same person at the identity provider): tokens issued before the
            // removal stay refused, new ones work.
            let again = try await router.call(
                "POST", "/v1/users", as: company,
                json: #"{"id":"\#(promotedLater)","name":"U30","email":"u30@example.com","mobile":"+919800012330","extension":30,"role":"admin"}"#)
            #expect(again.status == 201, "\(again.text)")
            #expect(try await router.api.call("GET", "/v1/blocklist", token: before).status == 403)
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(try await router.call("GET", "/v1/blocklist", as: company, user: UserID(promotedLater)!, role: .admin).status == 200)
        }
    }

    @Test("CR-34, X-12: the same person in two companies is two users, each with their own role, extension and availability")
    func samePersonTwoCompanies() async throws {
        try await withCallRouter { router in
            let first = CompanyID(), second = CompanyID()
            let person = UserID()
            func profile(role: String, ext: Int) -> String {
                #"{"id":"\#(person)","name":"Asha","email":"asha@example.com","mobile":"+919800012399","extension":\#(ext),"role":"\#(role)"}"#
            }
            #expect(try await router.call("POST", "/v1/users", as: first, json: profile(role: "agent", ext: 21)).status == 201)
            #expect(try await router.call("POST", "/v1/users", as: second, json: profile(role: "manager", ext: 45)).status == 201)
            let away = try await router.call("PUT", "/v1/users/\(person)/availability", as: first, user: person, role: .agent, json: #"{"availability":"away"}"#)
            #expect(away.status == 200)
            let there = try await router.call("GET", "/v1/users/\(person)", as: second).json()
            #expect(there["role"] as? String == "manager")
            #expect(there["extension"] as? Int == 45)
            #expect(there["availability"] as? String == "available")
            #expect(try await router.call("GET", "/v1/users/\(person)", as: first).json()["availability"] as? String == "away")
            // The first company's token reaches none of the second company's profile.
            #expect(try await router.call("PATCH", "/v1/users/\(person)", as: first, json: #"{"extension":46}"#).status == 200)
            #expect(try await router.call("GET", "/v1/users/\(person)", as: second).json()["extension"] as? Int == 45)
        }
    }

    @Test("X-18, X-06: the users export as CSV, filtered by role, department and date added; agents may not export")
    func usersExport() async throws {
        try await withCallRouter { router in
            let company = CompanyID()
            func user(_ ext: Int, role: String) async throws -> String {
                try #require(try await router.create(
                    "/v1/users", as: company,
                    json: #"{"name":"User \#(ext)","email":"u\#(ext)@example.com","mobile":"+9198000123\#(ext)","extension":\#(ext),"role":"\#(role)"}"#)["id"] as? String)
            }
            let asha = try await user(21, role: "agent")
            _ = try await user(22, role: "agent")
            _ = try await user(23, role: "manager")
            _ = try #require(try await router.create(
                "/v1/departments", as: company, json: #"{"name":"Sales","strategy":"serial","members":["\#(asha)"]}"#)["id"] as? String)
            let sales = try #require(try await router.call("GET", "/v1/departments", as: company).json()["items"] as? [[String: any Sendable]]).first?["id"] as? String
            func lines(_ query: String) async throws -> [Substring] {
                let reply = try await router.call("GET", "/v1/users/export\(query)", as: company, role: .manager)
                #expect(reply.status == 200, "\(reply.text)")
                #expect(reply.headers["content-type"]?.hasPrefix("text/csv") == true)
                return reply.text.split(whereSeparator: \.isNewline)
            }
            let all = try await lines("")
            #expect(all.first == "Name,Email,Mobile,Extension,Role,Availability,Outbound Allowed,Departments,Added At")
            #expect(all.count == 4)
            #expect(all.contains { $0.hasPrefix("User 21,u21@example.com,+919800012321,21,agent,available,yes,Sales,") })
            #expect(try await lines("?role=agent").count == 3)
            #expect(try await lines("?role=manager").dropFirst().map { $0.hasPrefix("User 23,") } == [true])
            #expect(try await lines("?department_id=\(try #require(sales))").dropFirst().map { $0.hasPrefix("User 21,") } == [true])
            #expect(try await lines("?added_to=2000-01-01T00:00:00Z").count == 1)
            #expect(try await lines("?added_from=2000-01-01T00:00:00Z&role=agent").count == 3)
            let bad = try await router.call("GET", "/v1/users/export?role=boss", as: company)
            #expect(bad.status == 400)
            #expect(try bad.json()["error"].flatMap { ($0 as? [String: Any])?["field"] as? String } == "role")
            #expect(try await router.call("GET", "/v1/users/export", as: company, role: .agent).status == 403)
        }
    }

    @Test("D-07, CR-49, CR-68, CR-77, X-10, D-09, CR-14, BI-05, BI-08, BI-09: outbound calls respect the outbound cap, shared numbers, permissions and suspension")
    func outboundAndSuspension() async throws {
        let shared = TelephonyOffice.randomNumber()
        try await withCallRouter(environment: [CallRouterService.sharedNumbersVariable: "+918000000001, \(shared)"]) { router in
            let company = CompanyID()
            #expect(try await router.call("PATCH", "/v1/callrouter/settings", as: company, json: #"{"lines":4}"#).json()["outbound_cap"] as? Int == 2)
            var agents: [String] = []
            for (index, extra) in ["", "", #","outbound_allowed":false"#, #","availability":"away""#].enumerated() {
                agents.append(try #require(try await router.create(
                    "/v1/users", as: company,
                    json: #"{"name":"A\#(index)","email":"a\#(index)@example.com","mobile":"+91990000000\#(index)","extension":\#(40 + index),"role":"agent"\#(extra)}"#)["id"] as? String))
            }
            let own = TelephonyOffice.randomNumber()
            _ = try await router.create("/v1/dids", as: company, json: #"{"number":"\#(shared)","type":"virtual","shared":true}"#)
            try await router.createNumber(own, as: company, json: #"{"number":"\#(own)","type":"mobile"}"#)
            func dial(_ agent: Int, _ extra: String = "") async throws -> ServiceClient.Reply {
                try await router.call(
                    "POST", "/v1/calls/outbound", as: company, user: UserID(agents[agent])!, role: .agent, json: #"{"customer":"+919812345678"\#(extra)}"#)
            }
            let sharedCall = try await dial(0, #","caller_id":"\#(shared)""#)
            #expect(sharedCall.status == 422)
            #expect(try sharedCall.errorCode() == "did.shared_outbound")
            let first = try await dial(0)
            #expect(first.status == 201)
            #expect(try await dial(0).errorCode() == "agent.on_call")
            let capped = try await dial(1)
            #expect(capped.status == 409)
            #expect(try capped.errorCode() == "lines.exhausted")
            #expect(try await dial(1, #","method":"web_call""#).errorCode() == "lines.exhausted")
            #expect(try await dial(2).errorCode() == "call.outbound.not_permitted")
            #expect(try await dial(3).errorCode() == "agent.unavailable")
            let phone = ScriptedSwitch(router: router)
            // CR-43: an outbound call cannot be transferred.
            let firstUID = try #require(try first.json()["uid"] as? String)
            _ = try await phone.answered(firstUID, by: agents[0], leg: "agent")
            _ = try await phone.answered(firstUID, by: agents[0], leg: "customer")
            let transfer = try await phone.event(firstUID, "transfer", #""by":"agent","to":{"extension":41}"#, expect: 409)
            #expect(transfer.raw.contains("call.transfer.outbound_unsupported"))
            _ = try await phone.hangup(firstUID)
            let web = try await dial(1, #","method":"web_call""#)
            #expect(web.status == 201)
            _ = try await phone.answered(try #require(try web.json()["uid"] as? String), by: agents[1], leg: "customer")

            // A call the switch never reports on is ended by the sweeper: failed, its agent and lines freed once.
            #expect(try await router.call("PATCH", "/v1/callrouter/settings", as: company, json: #"{"lines":10}"#).status == 200)
            let forgotten = try #require(try await dial(0).json()["uid"] as? String)
            let sweeper = CallSweeper(
                database: router.database, control: CallControl(database: router.database, outbox: Outbox(schema: router.database.schema), flows: FlowCache(), webhooks: InputWebhookClient(policy: OutboundURLPolicy(allowPrivateNetworks: true), http: .shared), calls: LiveCalls()),
                interval: .seconds(30), dialingLimit: .seconds(0), liveLimit: .seconds(6 * 3_600), logger: TestEnvironment.logger)
            #expect(try await sweeper.sweepOnce(now: Date().addingTimeInterval(1), company: company) == 1)
            #expect(try await router.count("SELECT count(*) FROM callrouter.calls WHERE uid = '\(forgotten)' AND NOT live AND outcome = 'failed'") == 1)
            #expect(try await router.count("SELECT count(*) FROM callrouter.users WHERE company_id = '\(company)' AND id = '\(agents[0])' AND on_call IS NULL") == 1)
            #expect(try await router.count("SELECT outbound_in_use FROM callrouter.companies WHERE company_id = '\(company)'") == 1, "only the web call")
            // D-07, CR-49: with 2 lines only one may go out, so a two-leg click-to-call is refused for what it is.
            #expect(try await router.call("PATCH", "/v1/callrouter/settings", as: company, json: #"{"lines":2}"#).status == 200)
            #expect(try await dial(0).errorCode() == "lines.insufficient_for_method")

            // D-09: billing.account.suspended reaches the projection; outbound is refused and inbound calls leave no log.
            let flow = try #require(try await router.create(
                "/v1/flows", as: company, json: #"{"graph":{"start":"hi","nodes":[{"id":"hi","type":"message","audio":"hi.mp3"}]}}"#)["id"] as? String)
            #expect(try await router.call("POST", "/v1/flows/\(flow)/publish", as: company).status == 200)
            #expect(try await router.call("PATCH", "/v1/dids/\(own.replacingOccurrences(of: "+", with: "%2B"))", as: company, json: #"{"flow_id":"\#(flow)"}"#).status == 200)
            let publisher = try TestEnvironment.connection("callrouter-billing")
            publisher.start()
            try await publisher.waitUntilConnected()
            let now = Date()
            try await publisher.publishUntilConfirmed([
                try EncodedEnvelope(Envelope(companyID: company, data: AccountSuspended(balance: .rupees(-101), creditLimit: .rupees(100), suspendedAt: now, reason: .creditLimit)))
            ])
            try await eventually(timeout: .seconds(30), "the suspension reaches CallRouter") {
                try await router.call("GET", "/v1/callrouter/settings", as: company).json()["suspended"] as? Bool == true
            }
            let suspended = try await dial(0)
            #expect(suspended.status == 402)
            #expect(try suspended.errorCode() == "account.suspended")
            let refused = try await phone.start(did: own, caller: "+919811100009")
            #expect(refused.callStatus == "refused" && refused.uid == nil && refused.hangupReason == "account_suspended")
            // An older event arriving late does not undo a newer one; the resume does.
            try await publisher.publishUntilConfirmed([
                try EncodedEnvelope(Envelope(companyID: company, data: AccountResumed(balance: .rupees(10), resumedAt: now.addingTimeInterval(-60)))),
                try EncodedEnvelope(Envelope(companyID: company, data: AccountResumed(balance: .rupees(10), resumedAt: now.addingTimeInterval(60)))),
            ])
            try await eventually(timeout: .seconds(30), "the resume reaches CallRouter") {
                try await router.call("GET", "/v1/callrouter/settings", as: company).json()["suspended"] as? Bool == false
            }
            let admitted = try await phone.start(did: own, caller: "+919811100009")
            #expect(admitted.callStatus == "ended" && admitted.uid != nil)
            #expect(try await router.count("SELECT count(*) FROM callrouter.calls WHERE company_id = '\(company)' AND customer = '+919811100009'") == 1)
            await publisher.shutdown()
        }
    }

    @Test("CR-47, D-20: an inbound call nobody answered that the switch stopped reporting is ended after an hour, billed to when it was last heard of, and frees its line; an answered one is not")
    func sweepsForgottenUnansweredCalls() async throws {
        try await withCallRouter { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 2)
            let phone = ScriptedSwitch(router: router)
            let forgotten = try #require(try await phone.start(did: office.virtualDID, caller: "+919811155541").uid)
            let talking = try #require(try await phone.start(did: office.virtualDID, caller: "+919811155542").uid)
            _ = try await phone.dtmf(talking, "1")
            _ = try await phone.answered(talking, by: office.agents[0])
            let control = CallControl(
                database: router.database, outbox: Outbox(schema: router.database.schema), flows: FlowCache(),
                webhooks: InputWebhookClient(policy: OutboundURLPolicy(allowPrivateNetworks: true), http: .shared), calls: LiveCalls())
            let sweeper = CallSweeper(
                database: router.database, control: control, interval: .seconds(30), dialingLimit: .seconds(180), liveLimit: .seconds(6 * 3_600),
                logger: TestEnvironment.logger)
            #expect(try await sweeper.sweepOnce(now: Date().addingTimeInterval(600), company: company) == 0)
            #expect(try await sweeper.sweepOnce(now: Date().addingTimeInterval(3_601), company: company) == 1)
            #expect(try await router.count("SELECT count(*) FROM callrouter.calls WHERE uid = '\(forgotten)' AND NOT live AND outcome = 'missed'") == 1)
            // D-20: billed to the last moment the switch reported on it (its start here), not to the sweep an hour on.
            #expect(try await router.count("SELECT billable_seconds FROM callrouter.calls WHERE uid = '\(forgotten)'") < 60)
            #expect(try await router.count(
                "SELECT count(*) FROM callrouter.calls WHERE uid = '\(forgotten)' AND ended_at < now() + interval '1 minute'") == 1)
            #expect(try await router.count("SELECT count(*) FROM callrouter.calls WHERE uid = '\(talking)' AND live") == 1)
            #expect(try await router.count("SELECT lines_in_use FROM callrouter.companies WHERE company_id = '\(company)'") == 1)
            _ = try await phone.hangup(talking)
        }
    }

    @Test("BI-19, CR-65, CR-68, CR-72: a company registers only numbers it rents (billing.did.activated) or the operator's shared ones; a released number stops routing")
    func numbersMustBeRented() async throws {
        let pooled = TelephonyOffice.randomNumber()
        try await withCallRouter(environment: [CallRouterService.sharedNumbersVariable: pooled]) { router in
            let company = CompanyID(), rival = CompanyID()
            let number = TelephonyOffice.randomNumber(), stranger = TelephonyOffice.randomNumber()
            func register(_ number: String, as company: CompanyID, shared: Bool = false) async throws -> ServiceClient.Reply {
                try await router.call("POST", "/v1/dids", as: company, json: #"{"number":"\#(number)","type":"virtual","shared":\#(shared)}"#)
            }
            // Not rented by anyone, or not in the pool: refused, and nothing is registered.
            let unrented = try await register(number, as: company)
            #expect(unrented.status == 422)
            #expect(try unrented.errorCode() == "did.not_rented")
            let notShared = try await register(stranger, as: company, shared: true)
            #expect(notShared.status == 422)
            #expect(try notShared.errorCode() == "did.not_shared")
            // CR-65: a number is virtual, toll_free or mobile; anything else is refused before anything is looked up.
            let landline = try await router.call("POST", "/v1/dids", as: company, json: #"{"number":"\#(pooled)","type":"landline","shared":true}"#)
            #expect(landline.status == 400)
            #expect(try await register(pooled, as: company, shared: true).status == 201)
            #expect(try await router.count("SELECT count(*) FROM callrouter.dids WHERE number IN ('\(number)', '\(stranger)')") == 0)

            // Billing sells the number to the company: the rival still cannot take it, the company can.
            let publisher = try TestEnvironment.connection("callrouter-numbers")
            publisher.start()
            try await publisher.waitUntilConnected()
            let now = Date()
            try await publisher.publishUntilConfirmed([
                try EncodedEnvelope(Envelope(companyID: company, data: NumberActivated(number: PhoneNumber(e164: number)!, activatedAt: now)))
            ])
            try await eventually(timeout: .seconds(30), "billing.did.activated reaches CallRouter") {
                try await router.count("SELECT count(*) FROM callrouter.rented_numbers WHERE number = '\(number)' AND active") == 1
            }
            #expect(try await register(number, as: rival).errorCode() == "did.not_rented")
            #expect(try await register(number, as: company).status == 201)

            // A second number, sold on to the rival before the company's release arrives: the sale alone takes it
            // back from the company, which no longer rents it.
            let resold = TelephonyOffice.randomNumber()
            try await router.createNumber(resold, as: company, json: #"{"number":"\#(resold)","type":"virtual"}"#)
            try await publisher.publishUntilConfirmed([
                try EncodedEnvelope(Envelope(companyID: rival, data: NumberActivated(number: PhoneNumber(e164: resold)!, activatedAt: Date())))
            ])
            try await eventually(timeout: .seconds(30), "the sale takes the number back") {
                try await router.count("SELECT count(*) FROM callrouter.dids WHERE number = '\(resold)'") == 0
            }
            #expect(try await register(resold, as: company).errorCode() == "did.not_rented")
            #expect(try await register(resold, as: rival).status == 201)

            // Releases by the rival, or older than the rental, change nothing (once both are in the inbox, the number
            // is still the company's); the company's own release removes the number, so its calls no longer reach the
            // company, and the number can be sold to someone else.
            let stale = [
                try EncodedEnvelope(Envelope(companyID: rival, data: NumberReleased(number: PhoneNumber(e164: number)!, releasedAt: now.addingTimeInterval(1)))),
                try EncodedEnvelope(Envelope(companyID: company, data: NumberReleased(number: PhoneNumber(e164: number)!, releasedAt: now.addingTimeInterval(-1)))),
            ]
            try await publisher.publishUntilConfirmed(stale)
            try await eventually(timeout: .seconds(30), "both releases are applied") {
                try await router.count(
                    "SELECT count(*) FROM callrouter.inbox WHERE event_id IN ('\(stale[0].header.id)', '\(stale[1].header.id)')") == 2
            }
            #expect(try await router.count("SELECT count(*) FROM callrouter.dids WHERE number = '\(number)' AND company_id = '\(company)'") == 1)
            #expect(try await router.count("SELECT count(*) FROM callrouter.rented_numbers WHERE number = '\(number)' AND active") == 1)
            try await publisher.publishUntilConfirmed([
                try EncodedEnvelope(Envelope(companyID: company, data: NumberReleased(number: PhoneNumber(e164: number)!, releasedAt: now.addingTimeInterval(2))))
            ])
            try await eventually(timeout: .seconds(30), "the company's release removes the number") {
                try await router.count("SELECT count(*) FROM callrouter.dids WHERE number = '\(number)'") == 0
            }
            #expect(try await router.count("SELECT count(*) FROM callrouter.rented_numbers WHERE number = '\(number)' AND active") == 0)
            #expect(try await register(number, as: company).errorCode() == "did.not_rented")
            let call = try await router.switchCall("/v1/calls", json: #"{"did":"\#(number)","caller":"+919811100042","carrier_call_id":"c-\#(UUID())"}"#)
            #expect(call.status == 404)
            await publisher.shutdown()
        }
    }

    @Test("CR-63, CR-64, CR-53, CR-56, CR-57, X-04, X-06, X-17, X-19: blocklist, call logs by role, notes, dispositions and the CSV export")
    func blocklistLogsExports() async throws {
        try await withCallRouter { router in
            let company = CompanyID()
            let office = try await TelephonyOffice.create(router, company: company, lines: 10)
            let manager = try #require(try await router.create(
                "/v1/users", as: company, json: #"{"name":"Meera","email":"m@example.com","mobile":"+919800077777","extension":50,"role":"manager"}"#)["id"] as? String)
            #expect(try await router.call("PATCH", "/v1/departments/\(office.support)", as: company, json: #"{"manager_id":"\#(manager)"}"#).status == 200)

            // CR-63, CR-64: blocking normalises the number; search, export, unblock.
            let blocked = try await router.call("POST", "/v1/blocklist", as: company, role: .manager, json: #"{"number":"09812312345","reason":"abusive caller"}"#)
            #expect(blocked.status == 201)
            #expect(try blocked.json()["number"] as? String == "+919812312345")
            #expect(try await router.call("POST", "/v1/blocklist", as: company, role: .agent, json: #"{"number":"09812312345","reason":"x"}"#).status == 403)
            #expect(try await router.call("POST", "/v1/blocklist", as: company, json: #"{"number":"09812312345","reason":""}"#).errorCode() == "blocklist.reason.invalid")
            let control = try await router.call("GET", "/v1/blocklist?q=%00", as: company)
            #expect(control.status == 400)
            #expect(try (control.json()["error"] as? [String: any Sendable])?["field"] as? String == "q")
            let found = try await router.call("GET", "/v1/blocklist?q=abusive", as: company)
            #expect((try found.json()["items"] as? [[String: Any]])?.map { $0["number"] as? String } == ["+919812312345"])
            let export = try await router.call("GET", "/v1/blocklist/export", as: company)
            #expect(export.headers["content-type"]?.hasPrefix("text/csv") == true)
            #expect(export.text.contains("+919812312345,abusive caller"))
            let phone = ScriptedSwitch(router: router)
            #expect(try await phone.start(did: office.virtualDID, caller: "+919812312345").hangupReason == "blocked")
            #expect(try await router.call("DELETE", "/v1/blocklist/%2B919812312345", as: company).status == 204)
            #expect(try await router.call("DELETE", "/v1/blocklist/%2B919812312345", as: company).status == 404)
            #expect(try await phone.start(did: office.virtualDID, caller: "+919812312345").hangupReason == nil)

            // Two answered calls: Sales (agent 0) and Support (agent 3, managed by Meera).
            let salesCall = try #require(try await phone.start(did: office.virtualDID, caller: "+919811122221").uid)
            _ = try await phone.dtmf(salesCall, "1")
            _ = try await phone.answered(salesCall, by: office.agents[0])
            _ = try await phone.hangup(salesCall)
            let supportCall = try #require(try await phone.start(did: office.virtualDID, caller: "+919811122222").uid)
            _ = try await phone.dtmf(supportCall, "2")
            _ = try await phone.answered(supportCall, by: office.agents[3])
            _ = try await phone.hangup(supportCall)

            // X-04, D-27: agents see their own calls; managers their departments'; nobody sees another company's.
            let agentZero = UserID(office.agents[0])!
            let own = try await router.call("GET", "/v1/calls", as: company, user: agentZero, role: .agent)
            #expect((try own.json()["items"] as? [[String: Any]])?.map { $0["uid"] as? String } == [salesCall])
            #expect(try await router.call("GET", "/v1/calls/\(supportCall)", as: company, user: agentZero, role: .agent).status == 404)
            let managed = try await router.call("GET", "/v1/calls", as: company, user: UserID(manager)!, role: .manager)
            #expect((try managed.json()["items"] as? [[String: Any]])?.map { $0["uid"] as? String } == [supportCall])
            #expect(try await router.call("GET", "/v1/calls/\(salesCall)", as: CompanyID()).status == 404)
            #expect(try await router.call("GET", "/v1/calls?direction=sideways", as: company).errorCode() == "request.query_invalid")
            let filtered = try await router.call("GET", "/v1/calls?agent_id=\(office.agents[3])&status=connected", as: company)
            #expect((try filtered.json()["items"] as? [[String: Any]])?.count == 1)

            // CR-57: notes with author and time; WH-05: a disposition becomes call.disposition.
            let note = try await router.call("POST", "/v1/calls/\(salesCall)/notes", as: company, user: agentZero, role: .agent, json: #"{"text":"Wants a callback, \"urgent\""}"#)
            #expect(note.status == 201)
            #expect(try note.json()["author_id"] as? String == office.agents[0])
            #expect(try await router.call("POST", "/v1/calls/\(supportCall)/notes", as: company, user: agentZero, role: .agent, json: #"{"text":"x"}"#).status == 404)
            let tap = try await EventTap.open("dispositions", bindings: [EventType.callDisposition.rawValue])
            let disposition = try await router.call(
                "POST", "/v1/calls/\(salesCall)/disposition", as: company, user: agentZero, role: .agent, json: #"{"disposition":"interested","comment":"demo next week"}"#)
            #expect(disposition.status == 200)
            let announced = try await tap.events(matching: { $0.mentions(salesCall) }, timeout: .seconds(20))
            await tap.close()
            #expect(announced.count == 1)
            #expect(announced.first?.header.type == .callDisposition)

            // X-16: the detailed log has the journey and the notes.
            let detail = try await router.call("GET", "/v1/calls/\(salesCall)", as: company)
            let journey = try #require(try detail.json()["journey"] as? [[String: Any]]).compactMap { $0["kind"] as? String }
            #expect(journey.starts(with: ["node", "working_hours", "node"]))
            #expect(journey.contains("offer") && journey.contains("answered") && journey.last == "ended")
            #expect((try detail.json()["notes"] as? [[String: Any]])?.count == 1)

            // X-17, X-19, CR-56: one row per call, UID column, notes included; managers may export, agents may not.
            #expect(try await router.call("GET", "/v1/calls/export", as: company, role: .agent).status == 403)
            let csv = try await router.call("GET", "/v1/calls/export?status=connected", as: company)
            #expect(csv.status == 200)
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.first?.hasPrefix("UID,Direction,Status") == true)
            #expect(lines.first?.hasSuffix("Notes") == true)
            #expect(lines.count == 3)
            #expect(csv.text.contains(salesCall) && csv.text.contains(#"Wants a callback, ""urgent"""#))
        }
    }

    @Test("CR-04, WH-09: an input node POSTs the caller's digits and follows the answer, or its fallback within 3 seconds")
    func inputNodeWebhook() async throws {
        let port = TestEnvironment.listenPort()
        let crm = Router()
        let asked = WebhookTally()
        crm.post("ivr") { request, context -> Response in
            struct Input: Decodable { var digits: String; var node_id: String }
            let input = try await request.decode(as: Input.self, context: context)
            await asked.add(input.digits)
            switch input.digits {
            case "3":
                // A redirect is not followed (it could lead into our own network): the fallback runs.
                return Response(status: .temporaryRedirect, headers: [.location: "http://127.0.0.1:\(port)/ivr-moved"])
            case "1":
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"next_node":"thanks"}"#)))
            case "2":
                // Far beyond the 3-second limit, so that a bound with room for a loaded test run still tells them apart.
                try await Task.sleep(for: .seconds(9))
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"next_node":"thanks"}"#)))
            default:
                return Response(status: .internalServerError)
            }
        }
        crm.post("ivr-moved") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"next_node":"thanks"}"#)))
        }
        let app = Application(router: crm, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: TestEnvironment.logger)
        try await withServers([TestServer(name: "crm", readiness: nil) { try await app.run() }]) {
            try await withCallRouter { router in
                let company = CompanyID()
                let graph = """
                    {"start":"ask","nodes":[
                      {"id":"ask","type":"input","prompt":"enter.mp3","max_digits":4,"webhook_url":"http://127.0.0.1:\(port)/ivr","fallback_node":"sorry"},
                      {"id":"thanks","type":"message","audio":"thanks.mp3"},
                      {"id":"sorry","type":"message","audio":"sorry.mp3"}
                    ]}
                    """
                let flow = try #require(try await router.create("/v1/flows", as: company, json: #"{"graph":\#(graph)}"#)["id"] as? String)
                #expect(try await router.call("POST", "/v1/flows/\(flow)/publish", as: company).status == 200)
                let did = TelephonyOffice.randomNumber()
                try await router.createNumber(did, as: company, json: #"{"number":"\#(did)","type":"virtual","flow_id":"\#(flow)"}"#)
                let phone = ScriptedSwitch(router: router)
                for (digits, audio) in [("1#", "thanks.mp3"), ("9", "sorry.mp3"), ("2", "sorry.mp3"), ("3", "sorry.mp3")] {
                    let uid = try #require(try await phone.start(did: did, caller: "+919811133333").uid)
                    let started = ContinuousClock.now
                    let answer = try await phone.dtmf(uid, digits)
                    #expect(answer.instructions.first?["audio"] as? String == audio, "digits \(digits)")
                    #expect(ContinuousClock.now - started < .seconds(6.5), "the caller waited too long for \(digits)")
                }
                // Asked once per input (with no connection held, then decided with the answer), never twice.
                #expect(await asked.digits == ["1", "9", "2", "3"])
            }
        }
    }
}

actor WebhookTally {
    private(set) var digits: [String] = []
    func add(_ value: String) { digits.append(value) }
}

@testable import CallRouter
import Contracts
import ServiceKit
import Testing

@Suite("CallRouter ownership")
struct OwnershipTests {
    let mobile = PhoneNumber(e164: "+919800012345")!
    let other = PhoneNumber(e164: "+919800054321")!

    func holder(_ role: Role, _ mobile: PhoneNumber? = nil, email: String = "o@example.com") -> Ownership.Holder {
        Ownership.Holder(role: role, mobile: mobile ?? self.mobile, email: email)
    }

    @Test("X-03, D-27: only the owner gives or takes the owner role, deletes an owner or changes an owner's mobile or e-mail")
    func x03OwnershipIsTheOwners() {
        for caller in [Role.admin, .manager, .agent, .billing] {
            #expect(Ownership.violation(by: caller, before: nil, after: holder(.owner), owners: 0) == .givesOwnerRole)
            #expect(Ownership.violation(by: caller, before: holder(.agent), after: holder(.owner), owners: 1) == .givesOwnerRole)
            #expect(Ownership.violation(by: caller, before: holder(.owner), after: holder(.admin), owners: 2) == .takesOwnerRole)
            #expect(Ownership.violation(by: caller, before: holder(.owner), after: holder(.owner, other), owners: 1) == .changesOwnersMobile)
            #expect(Ownership.violation(by: caller, before: holder(.owner), after: holder(.owner, email: "x@example.com"), owners: 1) == .changesOwnersEmail)
            #expect(Ownership.deletion(by: caller, of: .owner, owners: 2) == .deletesOwner)
            // Everything that does not touch ownership is for the role checks to decide.
            #expect(Ownership.violation(by: caller, before: nil, after: holder(.admin), owners: 1) == nil)
            #expect(Ownership.violation(by: caller, before: holder(.agent), after: holder(.manager, other, email: "x@example.com"), owners: 1) == nil)
            #expect(Ownership.violation(by: caller, before: holder(.owner), after: holder(.owner), owners: 1) == nil)
            #expect(Ownership.deletion(by: caller, of: .admin, owners: 1) == nil)
        }
        #expect(Ownership.Violation.changesOwnersMobile.field == "mobile")
        #expect(Ownership.Violation.givesOwnerRole.field == "role")
        #expect(Ownership.Violation.givesOwnerRole.isForbidden)
    }

    @Test("X-03: one owner; the owner transfers to an existing user, never leaves the company without an owner, never adds a second")
    func x03OneOwner() {
        // The transfer: the owner gives an existing user the role (the caller demotes the other owners with it).
        #expect(Ownership.violation(by: .owner, before: holder(.agent), after: holder(.owner), owners: 1) == nil)
        // A new user as a second owner, or the owner stepping down or deleted with nobody to follow: 409.
        #expect(Ownership.violation(by: .owner, before: nil, after: holder(.owner), owners: 1) == .ownerExists)
        #expect(Ownership.violation(by: .owner, before: holder(.owner), after: holder(.admin), owners: 1) == .lastOwner)
        #expect(Ownership.deletion(by: .owner, of: .owner, owners: 1) == .lastOwner)
        #expect(!Ownership.Violation.lastOwner.isForbidden && Ownership.Violation.lastOwner.code == "user.owner.last")
        // A company whose owner is known only to the identity provider gets its first owner row from them.
        #expect(Ownership.violation(by: .owner, before: nil, after: holder(.owner), owners: 0) == nil)
        // The owner changes their own details freely.
        #expect(Ownership.violation(by: .owner, before: holder(.owner), after: holder(.owner, other, email: "new@example.com"), owners: 1) == nil)
        // A token from before a transfer still says owner; the stored role is what counts.
        #expect(Ownership.effectiveRole(token: .owner, stored: .admin, owners: 1) == .admin)
        // Without a row: the owner's token counts only while no owner row exists (then it is the identity provider's
        // owner bootstrapping the directory); afterwards it is a former owner's, and counts as an admin.
        #expect(Ownership.effectiveRole(token: .owner, stored: nil, owners: 0) == .owner)
        #expect(Ownership.effectiveRole(token: .owner, stored: nil, owners: 1) == .admin)
        #expect(Ownership.effectiveRole(token: .manager, stored: nil, owners: 1) == .manager)
    }
}

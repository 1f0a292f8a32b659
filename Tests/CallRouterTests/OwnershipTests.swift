@testable import CallRouter
import Contracts
import ServiceKit
import Testing

@Suite("CallRouter ownership")
struct OwnershipTests {
    let mobile = PhoneNumber(e164: "+919800012345")!
    let other = PhoneNumber(e164: "+919800054321")!

    @Test("X-03, D-27: only the owner gives or takes the owner role, deletes an owner or changes an owner's mobile")
    func x03OwnershipIsTheOwners() {
        for caller in [Role.admin, .manager, .agent, .billing] {
            #expect(Ownership.violation(by: caller, before: nil, after: (.owner, mobile)) == .givesOwnerRole)
            #expect(Ownership.violation(by: caller, before: (.agent, mobile), after: (.owner, mobile)) == .givesOwnerRole)
            #expect(Ownership.violation(by: caller, before: (.owner, mobile), after: (.admin, mobile)) == .takesOwnerRole)
            #expect(Ownership.violation(by: caller, before: (.owner, mobile), after: (.owner, other)) == .changesOwnersMobile)
            #expect(Ownership.deletion(by: caller, of: .owner) == .deletesOwner)
            // Everything that does not touch ownership is for the role checks to decide.
            #expect(Ownership.violation(by: caller, before: nil, after: (.admin, mobile)) == nil)
            #expect(Ownership.violation(by: caller, before: (.agent, mobile), after: (.manager, other)) == nil)
            #expect(Ownership.violation(by: caller, before: (.owner, mobile), after: (.owner, mobile)) == nil)
            #expect(Ownership.deletion(by: caller, of: .admin) == nil)
        }
        #expect(Ownership.violation(by: .owner, before: (.agent, mobile), after: (.owner, mobile)) == nil)
        #expect(Ownership.violation(by: .owner, before: (.owner, mobile), after: (.admin, other)) == nil)
        #expect(Ownership.deletion(by: .owner, of: .owner) == nil)
        #expect(Ownership.Violation.changesOwnersMobile.field == "mobile")
        #expect(Ownership.Violation.givesOwnerRole.field == "role")
    }
}

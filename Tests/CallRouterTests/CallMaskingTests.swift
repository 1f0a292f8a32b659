@testable import CallRouter
import Contracts
import Foundation
import ServiceKit
import Testing

@Suite("CallRouter call masking rules")
struct CallMaskingRuleTests {
    static let customer = PhoneNumber(e164: "+919811155571")!
    static let did = PhoneNumber(e164: "+918012345678")!

    @Test("CR-75: on a masked call an agent sees the last four digits; managers, admins and owners the whole number")
    func cr75WhoSeesTheNumber() {
        #expect(CallMasking.shown(Self.customer, masked: true, to: .agent) == "+XXXXXXXX5571")
        for role in [Role.owner, .admin, .manager] {
            #expect(CallMasking.shown(Self.customer, masked: true, to: role) == "+919811155571", "\(role)")
        }
        #expect(CallMasking.shown(Self.customer, masked: false, to: .agent) == "+919811155571")
    }

    @Test("CR-75: agents' phones show the virtual number on a masked call, the caller's own otherwise")
    func cr75AgentCallerID() {
        #expect(CallMasking.agentCallerID(masked: true, did: Self.did) == Self.did)
        #expect(CallMasking.agentCallerID(masked: false, did: Self.did) == nil)
    }
}

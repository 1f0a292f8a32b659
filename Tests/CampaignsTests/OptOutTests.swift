@testable import Campaigns
import Testing

@Suite("WhatsApp opt-outs (CA-01)")
struct OptOutTests {
    @Test("CA-01: a message that is only STOP or START (any case, trailing punctuation) changes the choice; a sentence does not")
    func ca01Keywords() {
        #expect(OptOut.keyword(in: "STOP") == .stop)
        #expect(OptOut.keyword(in: "  stop. ") == .stop)
        #expect(OptOut.keyword(in: "Stop  all!") == .stop)
        #expect(OptOut.keyword(in: "UNSUBSCRIBE") == .stop)
        #expect(OptOut.keyword(in: "opt-out") == .stop)
        #expect(OptOut.keyword(in: "Start") == .start)
        #expect(OptOut.keyword(in: "opt in") == .start)
        #expect(OptOut.keyword(in: "please stop calling me") == nil)
        #expect(OptOut.keyword(in: "stopped") == nil)
        #expect(OptOut.keyword(in: nil) == nil)
    }

    @Test("CA-01: the business lifts only the opt-outs it recorded; a customer's choice is theirs")
    func ca01WhoLifts() {
        #expect(OptOut.Source.api.liftableByBusiness)
        #expect(!OptOut.Source.keyword.liftableByBusiness)
        #expect(!OptOut.Source.provider.liftableByBusiness)
        #expect(DeliveryFailureReason(code: OptOut.refusalCode) == .blockedOrOptedOut)
    }
}

@testable import Campaigns
import Testing

@Suite("Campaigns template status")
struct TemplateStatusTests {
    @Test("CA-12: only approved templates are sent; unapproved (draft, pending), paused, rejected and disabled ones are not")
    func ca12OnlyApprovedSend() {
        #expect(TemplateStatus.allCases.filter(\.isSendable) == [.approved])
    }
}

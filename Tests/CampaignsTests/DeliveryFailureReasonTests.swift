@testable import Campaigns
import Testing

@Suite("Campaigns delivery failure reasons")
struct DeliveryFailureReasonTests {
    @Test("CA-48: every failure code reads as one of the reasons messages go undelivered")
    func ca48Reasons() {
        let expected: [(String, DeliveryFailureReason)] = [
            ("131049", .marketingLimit), ("131050", .blockedOrOptedOut), ("131026", .invalidNumber), ("recipient.not_indian", .invalidNumber),
            ("132001", .templateNotApproved), ("132015", .templateNotApproved), ("132016", .templateNotApproved),
            ("template.not_approved", .templateNotApproved), ("template.missing", .templateNotApproved),
            ("132000", .templateValues), ("template.values_missing", .templateValues),
            ("131042", .accountBilling), ("131000", .outage), ("130429", .outage), ("network", .outage),
            ("131047", .outsideWindow), ("window.closed", .outsideWindow),
            ("quota.exceeded", .dailyQuota), ("send.outcome_unknown", .outcomeUnknown),
            ("INSUFFICIENTBALANCE", .walletBalance), ("account.suspended", .walletBalance),
            ("131051", .other), ("http.400", .other), ("", .other), ("-1", .other),
        ]
        for (code, reason) in expected {
            #expect(DeliveryFailureReason(code: code) == reason, "\(code)")
        }
        // Our own codes stay in step with the constants they are written from.
        #expect(DeliveryFailureReason(code: DailyQuota.exceededCode) == .dailyQuota)
        #expect(DeliveryFailureReason(code: SendFailure.unknownCode) == .outcomeUnknown)
    }
}

import CallRouter
import Foundation
import Testing

@Suite("Call reports (X-20)")
struct CallReportTests {
    let kolkata = TimeZone(identifier: "Asia/Kolkata")!

    @Test("X-20, D-29: the time-frame chips are the company's days, not UTC's")
    func x20PeriodsInCompanyTime() throws {
        // 2026-12-01 02:00 in Kolkata is still 30 November in UTC.
        let now = try #require(ISO8601DateFormatter().date(from: "2026-11-30T20:30:00Z"))
        let midnight = try #require(ISO8601DateFormatter().date(from: "2026-11-30T18:30:00Z"))
        let today = CallReport.Period.today.range(now: now, zone: kolkata)
        #expect(today.from == midnight)
        #expect(today.to == midnight + 86_400)
        let yesterday = CallReport.Period.yesterday.range(now: now, zone: kolkata)
        #expect(yesterday.from == midnight - 86_400)
        #expect(yesterday.to == midnight)
        #expect(CallReport.Period.last7Days.range(now: now, zone: kolkata).from == midnight - 6 * 86_400)
        #expect(CallReport.Period.thisMonth.range(now: now, zone: kolkata).from == midnight, "1 December in Kolkata")
        let utc = CallReport.Period.thisMonth.range(now: now, zone: TimeZone(identifier: "UTC")!)
        #expect(utc.from == ISO8601DateFormatter().date(from: "2026-11-01T00:00:00Z"))
    }

    @Test("X-20: answer rate is answered per 100 offered, to a tenth; rejected calls are volume, not unanswered")
    func x20AnswerRate() {
        let metrics = CallReport.Metrics(calls: 10, answered: 2, unanswered: 1, onCallSeconds: 301)
        #expect(metrics.answerRatePercent == 66.7)
        #expect(metrics.averageTalkSeconds == 151)
        #expect(CallReport.Metrics(calls: 3, answered: 0, unanswered: 0, onCallSeconds: 0).answerRatePercent == nil, "nothing offered")
        #expect(CallReport.Metrics(calls: 8, answered: 1, unanswered: 7, onCallSeconds: 0).answerRatePercent == 12.5)
        #expect(CallReport.Metrics.zero.averageTalkSeconds == nil)
        let sum = metrics + CallReport.Metrics(calls: 1, answered: 1, unanswered: 0, onCallSeconds: 9)
        #expect(sum == CallReport.Metrics(calls: 11, answered: 3, unanswered: 1, onCallSeconds: 310))
    }
}

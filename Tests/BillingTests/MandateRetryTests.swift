import Billing
import Testing

@Suite("Mandate charge retries")
struct MandateRetryTests {
    @Test("D-19: a refused auto-recharge is asked again after 2, 4, 8 and 16 minutes, five asks in all")
    func doublingWaits() {
        let retry = MandateRetry()
        #expect((1...4).map { retry.wait(afterAttempts: $0) } == [.seconds(120), .seconds(240), .seconds(480), .seconds(960)])
        #expect(MandateRetry.maximumAttempts == 5)
    }

    @Test("D-19: the wait between asks never grows beyond its cap, however many refusals")
    func cappedWait() {
        let retry = MandateRetry(firstWait: .seconds(600), longestWait: .seconds(3_600))
        #expect(retry.wait(afterAttempts: 3) == .seconds(2_400))
        #expect(retry.wait(afterAttempts: 4) == .seconds(3_600))
        #expect(retry.wait(afterAttempts: 1_000) == .seconds(3_600))
        #expect(retry.wait(afterAttempts: .max) == .seconds(3_600))
        // A first wait beyond the cap is the cap's floor, not a wait that shrinks.
        #expect(MandateRetry(firstWait: .seconds(7_200), longestWait: .seconds(60)).wait(afterAttempts: 2) == .seconds(7_200))
    }

    @Test("D-19: before any refusal there is nothing to wait for beyond the first wait")
    func noAttempts() {
        #expect(MandateRetry(firstWait: .seconds(30)).wait(afterAttempts: 0) == .seconds(30))
        #expect(MandateRetry(firstWait: .seconds(30)).wait(afterAttempts: -3) == .seconds(30))
    }
}

@Suite("Mandate charge answers")
struct MandateAnswerTests {
    @Test("D-19: only a 4xx is a refusal; a 5xx or a 409 may have charged the mandate, so it is unclear, not refused")
    func D_19_unclear_answers_are_not_refusals() {
        #expect(MandateAnswer(status: 200) == .accepted)
        #expect(MandateAnswer(status: 202) == .accepted)
        #expect(MandateAnswer(status: 400) == .refused(status: 400))
        #expect(MandateAnswer(status: 402) == .refused(status: 402))
        #expect(MandateAnswer(status: 429) == .refused(status: 429))
        #expect(MandateAnswer(status: 409) == .unclear)
        #expect(MandateAnswer(status: 500) == .unclear)
        #expect(MandateAnswer(status: 503) == .unclear)
        #expect(MandateAnswer(status: 302) == .unclear)
    }
}

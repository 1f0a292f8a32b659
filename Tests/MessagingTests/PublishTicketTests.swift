@testable import Messaging
import Testing

@Suite("PublishTicket")
struct PublishTicketTests {
    @Test("a ticket the broker does not confirm within the timeout fails as connectionLost, and stays failed")
    func unconfirmedTicketTimesOut() async throws {
        let ticket = PublishTicket()
        let started = ContinuousClock.now
        do {
            try await ticket.wait(timeout: .milliseconds(50))
            Issue.record("an unconfirmed ticket returned")
        } catch let error as AMQPError {
            #expect(error.code == .connectionLost)
        }
        // Generous: in a full test run, hundreds of tests share two cores, and timers have been seen 5 s late.
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(ticket.hasFailed)
        // A confirm arriving late changes nothing: the batch was already given up.
        ticket.finish(.success(()))
        #expect(ticket.hasFailed)
    }

    @Test("a ticket confirmed while its caller waits returns at the confirm, not at the timeout, and stays confirmed")
    func confirmedTicketReturns() async throws {
        let ticket = PublishTicket()
        Task {
            try await Task.sleep(for: .milliseconds(20))
            ticket.finish(.success(()))
        }
        let started = ContinuousClock.now
        try await ticket.wait(timeout: .seconds(120))
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(!ticket.hasFailed)
    }
}

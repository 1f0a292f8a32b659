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
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(ticket.hasFailed)
        // A confirm arriving late changes nothing: the batch was already given up.
        ticket.finish(.success(()))
        #expect(ticket.hasFailed)
    }

    @Test("a ticket confirmed within the timeout returns, and is not failed later by the timer")
    func confirmedTicketReturns() async throws {
        let ticket = PublishTicket()
        ticket.finish(.success(()))
        try await ticket.wait(timeout: .milliseconds(50))
        try await Task.sleep(for: .milliseconds(100))
        #expect(!ticket.hasFailed)
    }
}

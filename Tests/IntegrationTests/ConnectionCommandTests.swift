import Contracts
import Messaging
import Synchronization
import Testing

/// The I/O thread takes every posted command at once. One that fails on the wire ends the connection; the ones
/// behind it must still be answered, or their callers wait forever.
@Suite("Connection commands")
struct ConnectionCommandTests {
    @Test("a publish posted behind a subscription the broker refuses is answered, not dropped")
    func commandBehindAFailedOneIsAnswered() async throws {
        let queue = testQueue("commands")
        let connection = try TestEnvironment.connection("commands", queues: [queue])
        // Both posted before the I/O thread starts, so it takes them together: the consume of a queue that does not
        // exist fails (404) and ends the connection while the publish is still behind it.
        _ = connection.subscribe(queue: "it.\(TestEnvironment.uniqueName("missing"))", prefetch: 10)
        let message = try OutgoingMessage(numberedEnvelopes(0..<1, routingKey: queue.bindings[0])[0])
        let ticket = connection.send([message])  // posted now, behind the subscription
        let outcome = Mutex<Result<Void, AMQPError>?>(nil)
        Task {
            do {
                try await ticket.wait()
                outcome.withLock { $0 = .success(()) }
            } catch let error as AMQPError {
                outcome.withLock { $0 = .failure(error) }
            } catch {
                outcome.withLock { $0 = .failure(AMQPError(.closed, "unexpected \(error)")) }
            }
        }
        connection.start()

        // Polled, not awaited: a dropped publish never returns, and the test must fail rather than hang.
        let deadline = ContinuousClock.now + .seconds(15)
        while outcome.withLock({ $0 }) == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        await connection.shutdown()
        let answered = try #require(outcome.withLock { $0 }, "the publish was never answered")
        // The connection keeps failing on the missing queue, so the publish cannot have been confirmed.
        guard case .failure(let error) = answered else {
            Issue.record("the publish succeeded on a connection that cannot start its consumer")
            return
        }
        #expect(error.code == .connectionLost)
    }

    @Test("a batch sent behind one that failed is not put on the wire and fails too; behind one that succeeded it goes out")
    func batchBehindAFailedOneIsNotSent() async throws {
        let queue = testQueue("after")
        let connection = try TestEnvironment.connection("after", queues: [queue])
        connection.start()
        try await connection.waitUntilConnected()
        let messages = try numberedEnvelopes(0..<10, routingKey: queue.bindings[0]).map(OutgoingMessage.init)

        // A ticket that failed: a send on a connection already closed.
        let closed = try TestEnvironment.connection("after.closed")
        closed.start()
        try await closed.waitUntilConnected()
        await closed.shutdown()
        let failed = closed.send(messages)
        await #expect(throws: AMQPError.self) { try await failed.wait() }

        let refused = connection.send(messages, after: failed)
        do {
            try await refused.wait()
            Issue.record("a batch behind a failed one was confirmed")
        } catch let error as AMQPError {
            #expect(error.code == .connectionLost)
        }
        let first = connection.send(messages)
        try await connection.send(messages, after: first).wait()
        try await first.wait()
        // Only the two batches that were allowed out reached the queue.
        try await eventually("both sent batches queued") { try await connection.status(ofQueue: queue.name)?.messages == 20 }
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await connection.status(ofQueue: queue.name)?.messages == 20)
        await connection.shutdown()
    }
}

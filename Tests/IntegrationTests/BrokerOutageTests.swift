import Foundation
import Messaging
import Testing

/// Stops and starts the shared RabbitMQ node, so every other test that uses the broker would see the outage too.
/// `scripts/test` therefore runs this suite on its own, after the others (`--skip BrokerOutage`, then
/// `--filter BrokerOutage`); run alone, the restart also takes seconds rather than minutes on a loaded machine.
@Suite("Broker outage", .serialized)
struct BrokerOutageTests {
    @Test("outbox to inbox with the broker stopped and restarted in the middle: none lost, none doubled")
    func survivesBrokerRestart() async throws {
        try await exactlyOnce(count: 10_000, restartBrokerAfter: 2_000)
    }

    @Test("a memory alarm blocks publishing: publishes wait on the same connection, inspections are refused at once, and every publish goes out once it clears")
    func survivesMemoryAlarm() async throws {
        let queue = testQueue("alarm")
        let publisher = try TestEnvironment.connection("alarm", queues: [queue])
        publisher.start()
        try await publisher.waitUntilConnected()
        // 8 KiB messages: the unconfirmed window (5,000) is then 40 MB, more than the socket buffers between us and a
        // broker that stopped reading (up to 32 MB here), so a writer that ignores them blocks inside rabbitmq-c.
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 8_192)
        let batches = (0..<20).map { batch in
            (0..<500).map { index in
                OutgoingMessage(
                    routingKey: queue.bindings[0], messageID: "alarm-\(batch)-\(index)", type: queue.bindings[0], timestamp: 0, body: body)
            }
        }

        try await TestEnvironment.rabbitctl("set_vm_memory_high_watermark", "0.00001")
        let confirmed = Confirmed()
        var waits: [Task<Void, any Error>] = []
        do {
            for batch in batches {
                let ticket = publisher.send(batch)
                let count = batch.count
                waits.append(Task {
                    do {
                        try await ticket.wait()
                        await confirmed.add(count)
                    } catch {
                        await confirmed.fail("\(error)")
                        throw error
                    }
                })
            }
            try await Task.sleep(for: .seconds(2))
            #expect(await confirmed.count < 10_000, "the broker confirmed everything during the alarm")
            // The broker reads nothing from a blocked connection, so an inspection (a round trip) is refused at once
            // instead of waiting out the RPC timeout and ending the connection with every waiting publish on it. Polled,
            // not awaited: a connection thread stuck in a write answers nothing until the alarm clears.
            let inspection = Task {
                var refused = false
                do { _ = try await publisher.status(ofQueue: queue.name) } catch { refused = true }
                await confirmed.markInspected()
                return refused
            }
            let deadline = ContinuousClock.now + .seconds(5)
            while await !confirmed.inspected, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(await confirmed.inspected, "the connection did not answer within 5 s during the alarm")
            try await TestEnvironment.rabbitctl("set_vm_memory_high_watermark", "0.4")
            #expect(await inspection.value, "an inspection was sent to a broker that blocked the connection")
        } catch {
            try? await TestEnvironment.rabbitctl("set_vm_memory_high_watermark", "0.4")
            throw error
        }

        // Polled, not awaited: a publish never answered must fail the test, not hang it.
        var confirmedSoFar = 0
        var failures: [String] = []
        try await eventually(timeout: .seconds(60), "every publish confirmed; \(confirmedSoFar) were; \(failures)") {
            failures = await confirmed.failures
            confirmedSoFar = await confirmed.count
            return confirmedSoFar == 10_000
        }
        for wait in waits { try await wait.value }
        try await eventually("every message queued") { try await publisher.status(ofQueue: queue.name)?.messages == 10_000 }
        await publisher.shutdown()
        try await TestEnvironment.rabbitctl("delete_queue", queue.name)
    }
}

extension BrokerOutageTests {
    @Test("during an alarm, a batch whose caller gave up leaves the queue, and one that had to follow it fails at once, not when the alarm clears")
    func abandonedPublishesLeaveTheQueue() async throws {
        let queue = testQueue("abandon")
        let publisher = try TestEnvironment.connection("abandon", queues: [queue])
        publisher.start()
        try await publisher.waitUntilConnected()
        func batch(_ name: String) -> [OutgoingMessage] {
            [OutgoingMessage(routingKey: queue.bindings[0], messageID: name, type: queue.bindings[0], timestamp: 0, body: Array("{}".utf8))]
        }
        try await TestEnvironment.rabbitctl("set_vm_memory_high_watermark", "0.00001")
        do {
            // The first publish goes out and gets the connection blocked; the next ones wait in the queue.
            let first = publisher.send(batch("first"))
            try await Task.sleep(for: .seconds(1))
            let given = publisher.send(batch("given-up"))
            let follower = publisher.send(batch("follower"), after: given)
            await #expect(throws: AMQPError.self) { try await given.wait(timeout: .milliseconds(300)) }
            let started = ContinuousClock.now
            var failure = ""
            do { try await follower.wait(timeout: .seconds(20)) } catch { failure = "\(error)" }
            #expect(failure.contains("earlier batch"), "\(failure)")
            #expect(ContinuousClock.now - started < .seconds(5), "failed only when the alarm cleared or the wait ran out")
            try await TestEnvironment.rabbitctl("set_vm_memory_high_watermark", "0.4")
            try await first.wait(timeout: .seconds(30))
        } catch {
            try? await TestEnvironment.rabbitctl("set_vm_memory_high_watermark", "0.4")
            throw error
        }
        await publisher.shutdown()
        try await TestEnvironment.rabbitctl("delete_queue", queue.name)
    }
}

private actor Confirmed {
    private(set) var count = 0
    private(set) var failures: [String] = []
    private(set) var inspected = false

    func add(_ more: Int) { count += more }
    func markInspected() { inspected = true }
    func fail(_ error: String) { failures.append(error) }
}

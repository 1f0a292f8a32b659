import Dispatch
@testable import ServiceKit
import Synchronization
import Testing

@Suite("Readiness")
struct ReadinessTests {
    /// Like a query on a black-holed connection: it ends only when TCP gives up (here after a minute), whatever its
    /// task is told. Counts its calls.
    static func hangingPing(_ pings: Pings) -> @Sendable () async throws -> Void {
        {
            pings.count.withLock { $0 += 1 }
            await withCheckedContinuation { continuation in
                DispatchQueue.global().asyncAfter(deadline: .now() + 60) { continuation.resume() }
            }
        }
    }

    @Test("a database probe that hangs and ignores cancellation still gets not_ready within the limit, and later checks share it")
    func hangingDatabase() async {
        let pings = Pings()
        let readiness = Readiness(ping: Self.hangingPing(pings), connections: [], limit: .milliseconds(300), replaceAfter: .seconds(3_600))
        let clock = ContinuousClock()
        for _ in 0..<3 {
            let started = clock.now
            let report = await readiness.check()
            // Far below the minute the probe hangs; generous, as two cores busy with the rest of the run delay timers.
            #expect(started.duration(to: clock.now) < .seconds(30))
            #expect(report.status == "not_ready" && report.database == "down")
        }
        #expect(pings.count.withLock { $0 } == 1, "one probe in flight, not one per check")
    }

    @Test("a hung probe older than its replacement age is left to itself and a new one is tried")
    func hungProbeIsReplaced() async {
        let pings = Pings()
        let readiness = Readiness(ping: Self.hangingPing(pings), connections: [], limit: .milliseconds(100), replaceAfter: .zero)
        for _ in 0..<3 { #expect(await readiness.check().database == "down") }
        #expect(pings.count.withLock { $0 } == 3)
    }

    @Test("a database that answers is up, and every check asks it again")
    func answeringDatabase() async {
        let pings = Pings()
        let readiness = Readiness(ping: { pings.count.withLock { $0 += 1 } }, connections: [], limit: .seconds(2))
        #expect(await readiness.check().status == "ready")
        #expect(await readiness.check().database == "up")
        #expect(pings.count.withLock { $0 } == 2)
    }
}

final class Pings: Sendable {
    let count = Mutex(0)
}

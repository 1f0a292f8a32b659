import Dispatch
@testable import ServiceKit
import Synchronization
import Testing

@Suite("Readiness")
struct ReadinessTests {
    @Test("a database probe that hangs and ignores cancellation still gets not_ready within the limit, and later checks share it")
    func hangingDatabase() async {
        let pings = Mutex(0)
        // Like a query on a black-holed connection: it ends only when TCP gives up, whatever its task is told.
        let readiness = Readiness(
            ping: {
                pings.withLock { $0 += 1 }
                await withCheckedContinuation { continuation in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 5) { continuation.resume() }
                }
            },
            connections: [], limit: .milliseconds(300))
        let clock = ContinuousClock()
        for _ in 0..<3 {
            let started = clock.now
            let report = await readiness.check()
            #expect(started.duration(to: clock.now) < .seconds(2))
            #expect(report.status == "not_ready" && report.database == "down")
        }
        #expect(pings.withLock { $0 } == 1, "one probe in flight, not one per check")
    }

    @Test("a database that answers is up, and every check asks it again")
    func answeringDatabase() async {
        let pings = Mutex(0)
        let readiness = Readiness(ping: { pings.withLock { $0 += 1 } }, connections: [], limit: .seconds(2))
        #expect(await readiness.check().status == "ready")
        #expect(await readiness.check().database == "up")
        #expect(pings.withLock { $0 } == 2)
    }
}

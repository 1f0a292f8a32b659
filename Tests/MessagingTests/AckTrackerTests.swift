@testable import Messaging
import Testing

@Suite("AckTracker")
struct AckTrackerTests {
    @Test("consecutive acks fold into one multiple ack")
    func foldsConsecutive() {
        var tracker = AckTracker()
        for tag in 1...5 { tracker.delivered(UInt64(tag)) }
        for tag in 1...5 { #expect(tracker.settle(UInt64(tag), .ack) == nil) }
        #expect(tracker.flush() == [.ack(5, multiple: true)])
        #expect(tracker.flush() == [])
    }

    @Test("acks behind an unsettled delivery wait briefly, then fold into the front's multiple ack")
    func holdsOutOfOrder() {
        var tracker = AckTracker()
        let start = ContinuousClock.now
        for tag in 1...4 { tracker.delivered(UInt64(tag)) }
        _ = tracker.settle(3, .ack)
        _ = tracker.settle(4, .ack)
        #expect(tracker.flush(now: start) == [])
        #expect(tracker.heldSince == start)
        _ = tracker.settle(1, .ack)
        _ = tracker.settle(2, .ack)
        #expect(tracker.flush(now: start + .milliseconds(5)) == [.ack(4, multiple: true)])
        #expect(tracker.heldSince == nil)
    }

    @Test("a slow message at the front does not hold back acks behind it for long")
    func slowFront() {
        var tracker = AckTracker()
        let start = ContinuousClock.now
        for tag in 1...4 { tracker.delivered(UInt64(tag)) }
        _ = tracker.settle(3, .ack)
        _ = tracker.settle(4, .ack)
        #expect(tracker.flush(now: start) == [])
        #expect(tracker.flush(now: start + .milliseconds(25)) == [.ack(3, multiple: false), .ack(4, multiple: false)])
        _ = tracker.settle(1, .ack)
        #expect(tracker.flush(now: start + .milliseconds(30)) == [.ack(1, multiple: false)])
        _ = tracker.settle(2, .ack)
        // 3 and 4 were acked alone already; the watermark is 2, itself still unacked.
        #expect(tracker.flush(now: start + .milliseconds(31)) == [.ack(2, multiple: false)])
    }

    @Test("the settled front waits to cover half the prefetch window, or at most a moment")
    func foldsUpToThreshold() throws {
        var tracker = AckTracker(foldAtLeast: 4)
        let start = ContinuousClock.now
        for tag in 1...6 { tracker.delivered(UInt64(tag)) }
        for tag in 1...2 { _ = tracker.settle(UInt64(tag), .ack) }
        #expect(tracker.flush(now: start) == [])
        #expect(tracker.nextFlush == start + tracker.maximumFoldDelay)
        for tag in 3...4 { _ = tracker.settle(UInt64(tag), .ack) }
        #expect(tracker.flush(now: start + .microseconds(100)) == [.ack(4, multiple: true)])
        #expect(tracker.nextFlush == nil)
        _ = tracker.settle(5, .ack)
        #expect(tracker.flush(now: start + .milliseconds(1)) == [])
        let due = try #require(tracker.nextFlush)
        #expect(tracker.flush(now: due) == [.ack(5, multiple: false)])
    }

    @Test("a forced flush (closing) sends the front and the held acks at once")
    func forcedFlush() {
        var tracker = AckTracker(foldAtLeast: 100)
        for tag in 1...4 { tracker.delivered(UInt64(tag)) }
        for tag in [1, 2, 4] { _ = tracker.settle(UInt64(tag), .ack) }
        let now = ContinuousClock.now
        #expect(tracker.flush(now: now) == [])
        #expect(tracker.flush(now: now, force: true) == [.ack(2, multiple: true), .ack(4, multiple: false)])
        #expect(tracker.nextFlush == nil)
    }

    @Test("too many held acks go out at once")
    func tooManyHeld() {
        var tracker = AckTracker()
        tracker.maximumHeld = 2
        for tag in 1...4 { tracker.delivered(UInt64(tag)) }
        for tag in 2...4 { _ = tracker.settle(UInt64(tag), .ack) }
        #expect(tracker.flush() == [.ack(2, multiple: false), .ack(3, multiple: false), .ack(4, multiple: false)])
    }

    @Test("nacks go out at once, and a later multiple ack passes over them")
    func nacks() {
        var tracker = AckTracker()
        for tag in 1...3 { tracker.delivered(UInt64(tag)) }
        #expect(tracker.settle(2, .requeue) == .nack(2, requeue: true))
        _ = tracker.settle(1, .ack)
        _ = tracker.settle(3, .ack)
        #expect(tracker.flush() == [.ack(3, multiple: true)])
        tracker.delivered(4)
        #expect(tracker.settle(4, .reject) == .nack(4, requeue: false))
        #expect(tracker.flush() == [])
    }
}

@Suite("ConfirmTracker")
struct ConfirmTrackerTests {
    @Test("a batch completes when all of its messages are confirmed, also by one multiple ack")
    func batches() {
        var tracker = ConfirmTracker<String>()
        tracker.begin(count: 3, token: "a")
        tracker.begin(count: 2, token: "b")
        #expect(tracker.unconfirmedCount == 5)
        #expect(tracker.confirm(2, multiple: true, nack: false).isEmpty)
        let first = tracker.confirm(4, multiple: true, nack: false)
        #expect(first.map(\.token) == ["a"])
        #expect(first.map(\.nacked) == [false])
        let second = tracker.confirm(5, multiple: false, nack: false)
        #expect(second.map(\.token) == ["b"])
        #expect(tracker.unconfirmedCount == 0)
    }

    @Test("one nacked message fails its batch only")
    func nackFailsBatch() {
        var tracker = ConfirmTracker<String>()
        tracker.begin(count: 2, token: "a")
        tracker.begin(count: 1, token: "b")
        #expect(tracker.confirm(1, multiple: false, nack: true).isEmpty)
        let done = tracker.confirm(3, multiple: true, nack: false)
        #expect(done.map(\.token) == ["a", "b"])
        #expect(done.map(\.nacked) == [true, false])
    }

    @Test("a lost connection fails every waiting batch and restarts numbering")
    func reset() {
        var tracker = ConfirmTracker<String>()
        tracker.begin(count: 2, token: "a")
        tracker.begin(count: 2, token: "b")
        _ = tracker.confirm(2, multiple: true, nack: false)
        #expect(tracker.reset() == ["b"])
        #expect(tracker.nextSequence == 1)
        #expect(tracker.unconfirmedCount == 0)
    }
}

@Suite("AMQPURL")
struct AMQPURLTests {
    @Test("reads user, password, host, port, vhost and TLS")
    func parses() throws {
        let plain = try #require(AMQPURL("amqp://guest:guest@127.0.0.1:56720"))
        #expect(plain.host == "127.0.0.1")
        #expect(plain.port == 56720)
        #expect(plain.vhost == "/")
        #expect(!plain.tls)
        let tls = try #require(AMQPURL("amqps://myop:p%40ss@broker.example:5671/prod%2Fa"))
        #expect(tls.tls)
        #expect(tls.password == "p@ss")
        #expect(tls.vhost == "prod/a")
        #expect(AMQPURL("amqps://broker")?.port == 5671)
        #expect(AMQPURL("http://broker") == nil)
        #expect(!tls.description.contains("p@ss"))
    }
}

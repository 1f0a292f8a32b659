/// Turns individually settled deliveries of one channel into as few acks as possible.
///
/// Deliveries are settled out of order by concurrent handlers; a `multiple` ack may only cover a tag once
/// every lower tag is settled. Settled tags behind an unsettled one are held for a moment (the batch in front
/// usually finishes within milliseconds, and one multiple ack then covers both); if too many are held, or for
/// too long, they are acked alone, so a slow message never holds the prefetch window hostage. Every ack is
/// work for a quorum queue, so folding them is what keeps the broker's CPU for messages.
/// Pure state: the I/O thread turns the returned frames into calls.
struct AckTracker {
    /// Held out-of-order acks beyond this many go out alone.
    var maximumHeld = 64
    /// Held out-of-order acks older than this go out alone.
    var maximumHoldTime: Duration = .milliseconds(20)
    /// The settled front is acked once it covers this many deliveries (or has waited `maximumFoldDelay`): a
    /// consumer settling a few at a time would otherwise send an ack per handful, each one a command in the
    /// quorum queue's log.
    var foldAtLeast: Int
    var maximumFoldDelay: Duration = .milliseconds(2)

    enum Frame: Equatable {
        case ack(UInt64, multiple: Bool)
        case nack(UInt64, requeue: Bool)
    }

    /// Delivered, in delivery order, and not yet acked on the wire.
    private var outstanding = RingBuffer<UInt64>()
    /// Settled as ack by the consumer but not yet sent.
    private var pendingAcks: Set<UInt64> = []
    /// Already settled on the wire (single ack, nack): skipped when the front advances.
    private var sent: Set<UInt64> = []
    /// When the oldest held ack was first held back.
    private(set) var heldSince: ContinuousClock.Instant?
    /// The settled front not yet acked: its highest tag, how many deliveries it covers, since when it waits.
    private var readyWatermark: UInt64?
    private var readyCount = 0
    private var readySince: ContinuousClock.Instant?

    init(foldAtLeast: Int = 1) {
        self.foldAtLeast = max(1, foldAtLeast)
    }

    mutating func delivered(_ tag: UInt64) { outstanding.append(tag) }

    mutating func settle(_ tag: UInt64, _ outcome: DeliveryOutcome) -> Frame? {
        switch outcome {
        case .ack:
            pendingAcks.insert(tag)
            return nil
        case .requeue, .reject:
            sent.insert(tag)
            return .nack(tag, requeue: outcome == .requeue)
        }
    }

    /// The acks to send now: one `multiple` ack for the settled front once it covers `foldAtLeast` deliveries or
    /// waited `maximumFoldDelay`; single acks for held ones that waited too long or are too many. `force` sends
    /// everything settled (closing).
    mutating func flush(now: ContinuousClock.Instant = .now, force: Bool = false) -> [Frame] {
        var frames: [Frame] = []
        while let front = outstanding.first {
            if pendingAcks.remove(front) != nil {
                readyWatermark = front
                readyCount += 1
            } else if sent.remove(front) != nil {
                // nacked or acked alone earlier; a later multiple ack passes over it harmlessly
            } else {
                break
            }
            outstanding.removeFirst()
        }
        if let watermark = readyWatermark {
            let since = readySince ?? now
            if force || readyCount >= foldAtLeast || now - since >= maximumFoldDelay {
                frames.append(.ack(watermark, multiple: readyCount > 1))
                readyWatermark = nil
                readyCount = 0
                readySince = nil
            } else {
                readySince = since
            }
        }
        guard !pendingAcks.isEmpty else {
            heldSince = nil
            return frames
        }
        let since = heldSince ?? now
        guard force || pendingAcks.count > maximumHeld || now - since >= maximumHoldTime else {
            heldSince = since
            return frames
        }
        for tag in pendingAcks.sorted() {
            frames.append(.ack(tag, multiple: false))
            sent.insert(tag)
        }
        pendingAcks.removeAll(keepingCapacity: true)
        heldSince = nil
        return frames
    }

    /// When `flush` will next have something to send although nothing else happens.
    var nextFlush: ContinuousClock.Instant? {
        switch (readySince.map { $0 + maximumFoldDelay }, heldSince.map { $0 + maximumHoldTime }) {
        case (let ready?, let held?): min(ready, held)
        case (let ready, let held): ready ?? held
        }
    }
}

/// Matches publisher confirms (`basic.ack` / `basic.nack`, possibly `multiple`) to the batches that are waiting.
///
/// Sequence numbers start at 1 after `confirm.select` and count every publish on the channel. A batch completes
/// when all of its messages are confirmed; it fails if any is nacked. Pure state, owned by the I/O thread.
struct ConfirmTracker<Token> {
    private struct Batch {
        var token: Token
        var remaining: Int
        var nacked: Bool
    }

    /// The sequence number the next publish gets.
    private(set) var nextSequence: UInt64 = 1
    /// Lowest sequence number not yet confirmed.
    private var lowestUnconfirmed: UInt64 = 1
    private var batchOfSequence: [UInt64: Int] = [:]
    private var batches: [Int: Batch] = [:]
    private var nextBatchID = 0

    var unconfirmedCount: Int { batchOfSequence.count }

    /// Records `count` publishes about to go out for `token`; returns nothing, the caller sends them in order.
    mutating func begin(count: Int, token: Token) {
        let id = nextBatchID
        nextBatchID += 1
        batches[id] = Batch(token: token, remaining: count, nacked: false)
        for _ in 0..<count {
            batchOfSequence[nextSequence] = id
            nextSequence += 1
        }
    }

    /// Applies a confirm; returns the batches it finished, each with whether any of its messages was nacked.
    mutating func confirm(_ sequence: UInt64, multiple: Bool, nack: Bool) -> [(token: Token, nacked: Bool)] {
        var finished: [(token: Token, nacked: Bool)] = []
        func settle(_ seq: UInt64) {
            guard let id = batchOfSequence.removeValue(forKey: seq), var batch = batches[id] else { return }
            batch.remaining -= 1
            batch.nacked = batch.nacked || nack
            if batch.remaining == 0 {
                batches[id] = nil
                finished.append((batch.token, batch.nacked))
            } else {
                batches[id] = batch
            }
        }
        if multiple {
            var seq = lowestUnconfirmed
            while seq <= sequence {
                settle(seq)
                seq += 1
            }
        } else {
            settle(sequence)
        }
        while lowestUnconfirmed < nextSequence, batchOfSequence[lowestUnconfirmed] == nil { lowestUnconfirmed += 1 }
        return finished
    }

    /// The connection is gone: every waiting batch fails; numbering restarts with the next channel.
    mutating func reset() -> [Token] {
        let tokens = batches.sorted { $0.key < $1.key }.map(\.value.token)
        self = ConfirmTracker()
        return tokens
    }
}

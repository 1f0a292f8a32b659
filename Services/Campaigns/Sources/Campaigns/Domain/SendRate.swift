import Foundation

/// D-17: how fast one WhatsApp number may send.
enum SendRate {
    /// Meta's default per number.
    static let standard = 80
    /// Meta's highest throughput, on request.
    static let maximum = 1_000

    static func isValid(_ perSecond: Int) -> Bool { (1...maximum).contains(perSecond) }

    /// The token bucket the database keeps per number, a tenth of a second deep (one `chunk`): what is available
    /// after `elapsed` seconds and how much of `wanted` it can give. The SQL in `NumberStore.takeTokens` is this
    /// formula. A deeper bucket lets a number that was idle send its rate and the bucket's depth more in its first
    /// second (twice the rate with a one-second bucket), which Meta answers with throttling.
    static func refill(tokens: Double, elapsed: Double, rate: Int) -> Double {
        min(Double(chunk(rate: rate)), tokens + Double(rate) * max(0, elapsed))
    }

    static func take(wanted: Int, available: Double) -> Int { max(0, min(wanted, Int(available.rounded(.down)))) }

    /// How many tokens a sender asks for at once: a tenth of a second's worth, so one replica cannot starve another
    /// for long and the database sees at most ten statements per second per number and replica.
    static func chunk(rate: Int) -> Int { max(1, rate / 10) }
}

/// D-19 (auto-recharge): when the gateway refuses a mandate charge or cannot be reached, the charge is asked again
/// after a wait that doubles with each attempt, and given up after `maximumAttempts`. Asking again on every round
/// (seconds apart) let a gateway outage of a few seconds use up every attempt and fail the recharge, leaving a
/// company that chose auto-recharge to run dry.
public struct MandateRetry: Sendable, Equatable {
    /// The wait after the first refused attempt.
    public var firstWait: Duration
    /// No wait grows beyond this.
    public var longestWait: Duration

    public static let maximumAttempts = 5

    public init(firstWait: Duration = .seconds(120), longestWait: Duration = .seconds(3_600)) {
        self.firstWait = firstWait
        self.longestWait = max(firstWait, longestWait)
    }

    /// The wait before the next ask, after `attempts` asks (the one just refused included): `firstWait` × 2^(attempts − 1),
    /// at most `longestWait`. With the defaults: 2, 4, 8, 16 minutes, so five attempts span half an hour.
    public func wait(afterAttempts attempts: Int) -> Duration {
        let doublings = min(max(attempts - 1, 0), 20)
        let seconds = firstWait.components.seconds.multipliedReportingOverflow(by: Int64(1) << doublings)
        guard !seconds.overflow else { return longestWait }
        return min(.seconds(seconds.partialValue), longestWait)
    }
}

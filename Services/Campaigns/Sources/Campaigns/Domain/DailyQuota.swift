import Foundation

/// D-12, CA-41: the number of unique recipients of business-initiated messages a WhatsApp number may reach in
/// 24 hours, by Meta tier. Configurable; `nil` is unlimited (tier 4).
struct TierLimits: Sendable, Equatable {
    var tier1: Int = 1_000
    var tier2: Int = 10_000
    var tier3: Int = 100_000

    static let standard = TierLimits()

    func limit(tier: Int) -> Int? {
        switch tier {
        case 1: tier1
        case 2: tier2
        case 3: tier3
        default: nil
        }
    }

    /// Meta's names for the limits in phone-number quality webhooks (`TIER_1K` …). D-12 knows four tiers; Meta's
    /// smaller TIER_50 / TIER_250 of unverified businesses have no tier here and leave the number's tier as it is.
    static func tier(metaLimit: String) -> Int? {
        switch metaLimit.uppercased() {
        case "TIER_1K": 1
        case "TIER_10K": 2
        case "TIER_100K": 3
        case "TIER_UNLIMITED": 4
        default: nil
        }
    }
}

/// D-16, CA-40: what happens to an audience larger than the quota left today.
enum DailyQuota {
    /// CA-40: the exact text every recipient beyond the quota fails with.
    static let exceededMessage = "Audience size exceeding remaining quota, some messages may not be delivered."
    static let exceededCode = "quota.exceeded"

    /// D-12's rolling 24 hours, kept per number as hourly buckets. One bucket more than the hours in a day, so a
    /// recipient reached late in an hour still counts for a full 24 hours.
    static let buckets = 25

    /// D-12: where a recipient stands against the number's rolling 24 hours.
    enum Standing: Sendable, Equatable {
        /// Not reached in the window: reaching them takes one unit of the quota.
        case new
        /// Already reached in the window, at this hour: counted once already, so they take nothing more, but their
        /// unit moves on to the current hour (Meta's window counts them from their latest message).
        case counted(hour: Int64)
        /// Their customer service window is open: a template to them is a reply and takes nothing.
        case replying
    }

    /// The number's counts of unique recipients per hour, the last bucket being `hour` (hours since 1970, UTC).
    struct Buckets: Sendable, Equatable {
        var counts: [Int]
        var hour: Int64

        init(counts: [Int], hour: Int64) {
            // Stored arrays always have 25 entries; anything else is read as empty rather than trusted.
            self.counts = counts.count == DailyQuota.buckets ? counts : Array(repeating: 0, count: DailyQuota.buckets)
            self.hour = hour
        }

        /// Recipients reached in the window.
        var used: Int { counts.reduce(0, +) }

        /// The buckets as they stand at hour `now`: older hours drop out, new hours start at zero (the same as
        /// `campaigns.quota_shift`). A `now` before `hour` leaves them as they are.
        func shifted(to now: Int64) -> Buckets {
            guard now > hour else { return self }
            let gap = now - hour
            guard gap < Int64(DailyQuota.buckets) else { return Buckets(counts: Array(repeating: 0, count: DailyQuota.buckets), hour: now) }
            return Buckets(counts: Array(counts.dropFirst(Int(gap))) + Array(repeating: 0, count: Int(gap)), hour: now)
        }

        /// The bucket of `other`, if that hour is still in the window.
        func index(of other: Int64) -> Int? {
            let age = hour - other
            guard age >= 0, age < Int64(DailyQuota.buckets) else { return nil }
            return DailyQuota.buckets - 1 - Int(age)
        }

        /// Whether a recipient last reached at `other` still counts.
        func holds(_ other: Int64) -> Bool { index(of: other) != nil }
    }

    /// D-12, D-16: which recipients, in upload order, may be sent a business-initiated message now, and the buckets
    /// afterwards. Replies and recipients already counted always go; new recipients take the quota left, in upload
    /// order, and the rest are refused (CA-40). `buckets` must already be shifted to the current hour.
    static func take(_ standings: [Standing], from buckets: Buckets, limit: Int?) -> (granted: [Bool], buckets: Buckets) {
        var after = buckets
        var left = limit.map { max(0, $0 - buckets.used) }
        let current = DailyQuota.buckets - 1
        var granted: [Bool] = []
        granted.reserveCapacity(standings.count)
        for standing in standings {
            switch standing {
            case .replying:
                granted.append(true)
            case .counted(let hour):
                if let index = after.index(of: hour), after.counts[index] > 0 {
                    after.counts[index] -= 1
                    after.counts[current] += 1
                    granted.append(true)
                    continue
                }
                // Not in the window after all: a new recipient.
                fallthrough
            case .new:
                if let remaining = left {
                    guard remaining > 0 else {
                        granted.append(false)
                        continue
                    }
                    left = remaining - 1
                }
                after.counts[current] += 1
                granted.append(true)
            }
        }
        return (granted, after)
    }
}

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

    /// D-12's rolling 24 hours, kept per number as hourly buckets so that taking quota stays one conditional UPDATE.
    /// One bucket more than the hours in a day, so a grant made late in an hour still counts for a full 24 hours.
    static let buckets = 25

    /// D-16: how much of a request the counter can give. `used` is what the current window has used.
    static func grant(requested: Int, used: Int, limit: Int?) -> Int {
        guard let limit else { return max(0, requested) }
        return max(0, min(requested, limit - used))
    }

    /// D-16: recipients are taken in upload order; positions 1…granted are sent, the rest fail.
    static func isWithinQuota(position: Int, granted: Int) -> Bool { position <= granted }
}

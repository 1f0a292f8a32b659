public import Contracts

/// A plan's prices (BI-41), its call pulse (D-20) and its monthly promotional SMS credits (BI-17).
public struct RateCard: Sendable, Hashable {
    public let plan: Plan
    public let pulse: Pulse
    public let rates: [RateItem: Money]
    /// Promotional SMS segments a month that the plan pays for.
    public let promoSMSCredits: Int64

    public init(plan: Plan, pulse: Pulse, rates: [RateItem: Money], promoSMSCredits: Int64 = 0) {
        self.plan = plan
        self.pulse = pulse
        self.rates = rates
        self.promoSMSCredits = promoSMSCredits
    }

    /// A missing item is free rather than a crash: an import validates completeness before it is stored.
    public func rate(_ item: RateItem) -> Money { rates[item] ?? .zero }
}

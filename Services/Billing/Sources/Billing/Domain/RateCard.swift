public import Contracts

/// A plan's prices (BI-41) and its call pulse (D-20).
public struct RateCard: Sendable, Hashable {
    public let plan: Plan
    public let pulse: Pulse
    public let rates: [RateItem: Money]

    public init(plan: Plan, pulse: Pulse, rates: [RateItem: Money]) {
        self.plan = plan
        self.pulse = pulse
        self.rates = rates
    }

    /// A missing item is free rather than a crash: an import validates completeness before it is stored.
    public func rate(_ item: RateItem) -> Money { rates[item] ?? .zero }
}

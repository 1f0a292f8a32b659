public import Contracts
public import Foundation

/// BI-17, D-21: a plan's monthly promotional SMS credits pay for promotional SMS first, one credit per segment; the
/// wallet pays for what they do not cover. A month's credits pay only for SMS delivered in that calendar month on the
/// company's clock (D-29), whenever they are rated (BI-18: a backlog rated after the 1st still uses its own month), so unused
/// credits lapse when the month ends and the next month starts with the full allowance: nothing carries forward.
public enum PromoSMSCredits {
    /// The calendar month whose credits pay for an SMS delivered at `date`.
    public static func month(of date: Date, timeZone: TimeZone) -> BillingCycle {
        BillingCycle.containing(date, billingDay: 1, timeZone: timeZone)
    }

    /// Only promotional SMS use credits; transactional SMS, email and push are always charged to the wallet.
    public static func apply(to delivered: NotificationDelivered) -> Bool {
        delivered.channel == .sms && delivered.kind == .promotional
    }

    public struct Payment: Equatable, Sendable {
        /// The segments the credits paid for.
        public let credits: Int64
        /// What the wallet pays for the other segments; nil when the credits paid for all of them.
        public let charge: UsageCharge?
    }

    /// Pays for `charge` (`quantity` segments at `rate` each) with up to `available` credits.
    public static func pay(_ charge: UsageCharge, rate: Money, available: Int64) -> Payment {
        let credits = min(max(available, 0), charge.quantity)
        guard credits > 0 else { return Payment(credits: 0, charge: charge) }
        let rest = charge.quantity - credits
        guard rest > 0 else { return Payment(credits: credits, charge: nil) }
        return Payment(
            credits: credits,
            charge: UsageCharge(
                source: charge.source, kind: charge.kind, amount: rate * rest, quantity: rest,
                description: "\(charge.description), \(credits) paid from promo SMS credits", occurredAt: charge.occurredAt))
    }

    /// What is left of a month's allowance after `used` credits (never below zero: the plan may have been downgraded
    /// after the credits were spent).
    public static func remaining(allowance: Int64, used: Int64) -> Int64 { max(0, allowance - used) }
}

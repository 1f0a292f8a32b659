public import Contracts
import Foundation

/// Turns usage events into charges. Each returns nil when the usage costs nothing, so free usage never
/// writes a ledger entry.
public enum UsageRating {
    /// D-20, BI-10, BI-11, BI-16: a call is rated on its billable seconds (system pickup to end, wrap included)
    /// in whole pulses at the per-minute rate for its direction and number type. Rejected and no-flow calls
    /// were never handled by the platform and cost nothing; lost calls never reach here (no call log, D-07).
    public static func call(_ call: CallCompleted, card: RateCard) -> UsageCharge? {
        switch call.outcome {
        case .rejected, .noFlow: return nil
        case .connected, .missed, .voicemail, .failed: break
        }
        let amount = CallRating.charge(
            billableSeconds: call.billableSeconds, pulse: card.pulse, ratePerMinute: card.rate(.call(call.direction, call.didType)))
        guard amount > .zero else { return nil }
        let numberType = call.didType == .tollFree ? "toll-free" : call.didType.rawValue
        return UsageCharge(
            source: "call:\(call.uid)", kind: .call, amount: amount, quantity: Int64(call.billableSeconds),
            description: "\(call.direction.rawValue.capitalized) call on \(numberType) \(call.did), \(call.billableSeconds) s",
            occurredAt: call.endedAt)
    }

    /// D-21: an SMS costs its segments × the route's rate; other channels cost their per-message rate.
    public static func notification(_ delivered: NotificationDelivered, card: RateCard) -> UsageCharge? {
        let rate = card.rate(.notification(delivered.channel, delivered.kind))
        let units = delivered.channel == .sms ? Int64(SMSSegments.count(delivered.text)) : 1
        let amount = rate * units
        guard amount > .zero else { return nil }
        let kind: UsageCharge.Kind
        let description: String
        switch delivered.channel {
        case .sms:
            kind = .sms
            description = "\(delivered.kind.rawValue.capitalized) SMS to \(delivered.recipient), \(units) segment\(units == 1 ? "" : "s")"
        case .email:
            kind = .email
            description = "Email to \(delivered.recipient)"
        case .push:
            kind = .push
            description = "Push notification"
        case .slack:
            kind = .slack
            description = "Slack message"
        }
        return UsageCharge(
            source: "\(delivered.channel.rawValue):\(delivered.notificationID.uuidString.lowercased())", kind: kind, amount: amount,
            quantity: units, description: description, occurredAt: delivered.deliveredAt)
    }

    /// BI-14, D-18: a business-initiated conversation costs its category's rate; service conversations are free.
    public static func conversation(_ opened: WhatsAppConversationOpened, card: RateCard) -> UsageCharge? {
        guard opened.category != .service else { return nil }
        let amount = card.rate(.whatsapp(opened.category))
        guard amount > .zero else { return nil }
        return UsageCharge(
            source: "wa_conversation:\(opened.conversationID)", kind: .whatsapp, amount: amount, quantity: 1,
            description: "WhatsApp \(opened.category.rawValue) conversation with \(opened.recipient)", occurredAt: opened.openedAt)
    }

    /// D-15: what a campaign is expected to cost: every recipient opens one conversation of the template's category.
    public static func campaignEstimate(recipients: Int, category: WhatsAppConversationOpened.Category, card: RateCard) -> Money {
        card.rate(.whatsapp(category)) * Int64(max(recipients, 0))
    }
}

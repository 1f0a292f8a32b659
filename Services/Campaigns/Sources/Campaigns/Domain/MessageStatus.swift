import Contracts
import Foundation

/// Where one outbound WhatsApp message is: ours until the provider accepts it, then the provider's webhooks.
enum MessageStatus: String, Codable, Sendable, CaseIterable {
    case queued, sending, sent, delivered, read, failed

    /// Statuses only move forward: a late `delivered` never overwrites `read`, and a `failed` after delivery is
    /// ignored (the customer has the message). The provider's webhooks arrive out of order.
    var rank: Int {
        switch self {
        case .queued: 0
        case .sending: 1
        case .sent: 2
        case .failed: 3
        case .delivered: 4
        case .read: 5
        }
    }

    func canMove(to next: MessageStatus) -> Bool { self != .failed && next.rank > rank }

    /// The statuses a message may be in for `next` to apply; the SQL guard of every status change.
    static func predecessors(of next: MessageStatus) -> [String] { allCases.filter { $0.canMove(to: next) }.map(\.rawValue) }

    /// Statuses that count as sent in reports (CA-43): the provider accepted the message.
    static let reachedProvider: Set<MessageStatus> = [.sent, .delivered, .read]
}

/// CA-02, CA-05, CA-16, D-18: the customer-service window; outside it only a template may be sent.
enum ServiceWindow {
    static let length: TimeInterval = 86_400

    static func expiry(lastInbound: Date) -> Date { lastInbound.addingTimeInterval(length) }

    /// D-18: free-form messages only while the window is open.
    static func isOpen(lastInbound: Date?, now: Date) -> Bool {
        guard let lastInbound else { return false }
        return now < expiry(lastInbound: lastInbound)
    }
}

/// BI-07, BI-06: WhatsApp sends need a balance of at least ₹1.
enum WhatsAppBalance {
    static let minimumPaise: Int64 = 100

    /// BI-07: an active account whose balance, less what campaigns hold, is at least ₹1.
    static func allowsSend(status: String, balance: Money, reserved: Money) -> Bool {
        status == "active" && (balance - reserved).paise >= minimumPaise
    }
}

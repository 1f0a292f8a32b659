public import Contracts
public import Foundation

/// One thing to charge to a wallet: what it was, how much, and the source that makes it unique in the ledger.
public struct UsageCharge: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case call, sms, email, push, slack, whatsapp
    }

    public let source: String
    public let kind: Kind
    public let amount: Money
    /// Billable seconds, segments or conversations: what the customer sees next to the amount.
    public let quantity: Int64
    public let description: String
    public let occurredAt: Date

    public init(source: String, kind: Kind, amount: Money, quantity: Int64, description: String, occurredAt: Date) {
        self.source = source
        self.kind = kind
        self.amount = amount
        self.quantity = quantity
        self.description = description
        self.occurredAt = occurredAt
    }
}

public import Foundation

/// `billing.balance.low` (D-19, BI-04): the balance fell below the low-balance alert threshold.
public struct BalanceLow: Event {
    public static let type = EventType.billingBalanceLow
    public var balance: Money
    public var threshold: Money

    public init(balance: Money, threshold: Money) {
        self.balance = balance
        self.threshold = threshold
    }
}

/// `billing.balance.minimum` (D-19): the balance fell below the minimum balance; the final warning.
public struct BalanceMinimum: Event {
    public static let type = EventType.billingBalanceMinimum
    public var balance: Money
    public var threshold: Money

    public init(balance: Money, threshold: Money) {
        self.balance = balance
        self.threshold = threshold
    }
}

/// `billing.account.suspended` (D-19, BI-03, BI-09): the balance went below the credit limit; services pause.
public struct AccountSuspended: Event {
    public static let type = EventType.billingAccountSuspended
    public var balance: Money
    public var creditLimit: Money
    public var suspendedAt: Date

    public init(balance: Money, creditLimit: Money, suspendedAt: Date) {
        self.balance = balance
        self.creditLimit = creditLimit
        self.suspendedAt = suspendedAt
    }

    enum CodingKeys: String, CodingKey {
        case balance
        case creditLimit = "credit_limit"
        case suspendedAt = "suspended_at"
    }
}

/// `billing.account.resumed` (BI-03): the customer paid and refreshed; services run again.
public struct AccountResumed: Event {
    public static let type = EventType.billingAccountResumed
    public var balance: Money
    public var resumedAt: Date

    public init(balance: Money, resumedAt: Date) {
        self.balance = balance
        self.resumedAt = resumedAt
    }

    enum CodingKeys: String, CodingKey {
        case balance
        case resumedAt = "resumed_at"
    }
}

/// `billing.invoice.issued` (D-22): an invoice or a credit note was issued; Notifications mails it.
public struct InvoiceIssued: Event {
    public static let type = EventType.billingInvoiceIssued

    public enum Kind: String, Codable, Sendable {
        case invoice
        case creditNote = "credit_note"
    }

    public var invoiceID: InvoiceID
    public var number: String
    public var kind: Kind
    public var reason: String
    public var taxable: Money
    public var gst: Money
    public var total: Money
    public var issuedAt: Date

    public init(invoiceID: InvoiceID, number: String, kind: Kind, reason: String, taxable: Money, gst: Money, total: Money, issuedAt: Date) {
        self.invoiceID = invoiceID
        self.number = number
        self.kind = kind
        self.reason = reason
        self.taxable = taxable
        self.gst = gst
        self.total = total
        self.issuedAt = issuedAt
    }

    enum CodingKeys: String, CodingKey {
        case number, kind, reason, taxable, gst, total
        case invoiceID = "invoice_id"
        case issuedAt = "issued_at"
    }
}

/// `billing.did.activated` (BI-19): a number's purchase was paid, so the number is the company's. CallRouter lets a
/// company route only the numbers it rents.
public struct NumberActivated: Event {
    public static let type = EventType.billingNumberActivated
    public var number: PhoneNumber
    public var activatedAt: Date

    public init(number: PhoneNumber, activatedAt: Date) {
        self.number = number
        self.activatedAt = activatedAt
    }

    enum CodingKeys: String, CodingKey {
        case number
        case activatedAt = "activated_at"
    }
}

/// `billing.did.released` (BI-19): the company gave the number back; it no longer routes its calls.
public struct NumberReleased: Event {
    public static let type = EventType.billingNumberReleased
    public var number: PhoneNumber
    public var releasedAt: Date

    public init(number: PhoneNumber, releasedAt: Date) {
        self.number = number
        self.releasedAt = releasedAt
    }

    enum CodingKeys: String, CodingKey {
        case number
        case releasedAt = "released_at"
    }
}

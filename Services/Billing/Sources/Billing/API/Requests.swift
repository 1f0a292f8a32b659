import Contracts
import Foundation

/// PATCH /v1/billing/settings. Absent fields keep their value. `credit_limit` is read so that trying to set
/// it gets a clear refusal (BI-02) instead of being silently ignored.
struct SettingsUpdate: Decodable {
    var lowBalance: Money?
    var minimumBalance: Money?
    var minimumTopUp: Money?
    var autoRecharge: Bool?
    var creditLimit: Money?

    enum CodingKeys: String, CodingKey {
        case lowBalance = "low_balance"
        case minimumBalance = "minimum_balance"
        case minimumTopUp = "minimum_topup"
        case autoRecharge = "auto_recharge"
        case creditLimit = "credit_limit"
    }
}

/// PATCH /v1/billing/business (BI-28, BI-30).
struct BusinessUpdate: Decodable {
    var billingName: String?
    var billingEmail: String?
    var gstin: String?

    enum CodingKeys: String, CodingKey {
        case gstin
        case billingName = "billing_name"
        case billingEmail = "billing_email"
    }
}

struct PaymentRequest: Decodable {
    var amount: Money
    var method: PaymentMethod
    var offlineCode: String?

    enum CodingKeys: String, CodingKey {
        case amount, method
        case offlineCode = "offline_code"
    }
}

/// A reservation or a quote names either an amount or a campaign's recipients and template category (D-15).
struct CreditRequest: Decodable {
    var amount: Money?
    var recipients: Int?
    var category: WhatsAppConversationOpened.Category?
    var reference: String?
    var expiresInSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case amount, recipients, category, reference
        case expiresInSeconds = "expires_in_seconds"
    }
}

struct CaptureRequest: Decodable {
    var amount: Money
}

/// What the payment provider posts to `/v1/billing/payments/webhook`, signed with the shared webhook secret.
struct PaymentNotification: Decodable {
    enum Kind: String, Decodable {
        case captured = "payment.captured"
        case failed = "payment.failed"
    }

    var event: Kind
    var paymentID: PaymentID
    var providerReference: String?
    /// What the provider charged, GST included; required for a capture.
    var amount: Money?
    var reason: String?

    enum CodingKeys: String, CodingKey {
        case event, amount, reason
        case paymentID = "payment_id"
        case providerReference = "provider_reference"
    }
}

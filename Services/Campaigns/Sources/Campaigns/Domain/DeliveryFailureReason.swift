/// CA-48: why a WhatsApp message was not delivered, as the panel groups it, read from the error code the message
/// failed with: Meta's (a number, from the send's answer or the status webhook) or one of our own.
enum DeliveryFailureReason: String, Sendable, Codable, CaseIterable {
    /// Meta's per-user limit on marketing templates (131049; 130472, a marketing experiment's hold-out).
    case marketingLimit = "marketing_limit"
    /// The recipient blocked the business or stopped its marketing messages (131050), or opted out with STOP
    /// (`recipient.opted_out`, CA-01).
    case blockedOrOptedOut = "blocked_or_opted_out"
    /// Not on WhatsApp, not reachable, or not a number we send to (131026, 131021, 131030, `recipient.not_indian`).
    case invalidNumber = "invalid_number"
    /// The template is not approved, paused, disabled or gone (132001, 132015, 132016, ours).
    case templateNotApproved = "template_not_approved"
    /// The values do not fit the template (132000, 132005, 132012, 131008, 131009, `template.values_missing`).
    case templateValues = "template_values"
    /// The WhatsApp Business Account's payment method (131042).
    case accountBilling = "account_billing"
    /// The provider or the way to it failed (1, 2, 131000, 131016, throttling that never cleared, no connection).
    case outage
    /// Free-form text outside the 24-hour window (131047, `window.closed`).
    case outsideWindow = "outside_window"
    /// Our prepaid wallet could not pay for it (BI-07: `INSUFFICIENTBALANCE`, `account.suspended`).
    case walletBalance = "wallet_balance"
    /// The number's daily tier quota was used up (D-12, D-16).
    case dailyQuota = "daily_quota"
    /// The request went out and no answer came: it may have been delivered (`send.outcome_unknown`).
    case outcomeUnknown = "outcome_unknown"
    case other

    init(code: String) {
        if let meta = Int(code) {
            self = Self.meta[meta] ?? .other
            return
        }
        switch code {
        case DailyQuota.exceededCode: self = .dailyQuota
        case SendFailure.unknownCode: self = .outcomeUnknown
        case "window.closed": self = .outsideWindow
        case "recipient.not_indian": self = .invalidNumber
        case OptOut.refusalCode: self = .blockedOrOptedOut
        case "template.not_approved", "template.missing", "template.unknown": self = .templateNotApproved
        case "template.values_missing": self = .templateValues
        case "INSUFFICIENTBALANCE", "account.suspended": self = .walletBalance
        case "network", "http.429", "http.503": self = .outage
        default: self = .other
        }
    }

    private static let meta: [Int: DeliveryFailureReason] = [
        131049: .marketingLimit, 130472: .marketingLimit,
        131050: .blockedOrOptedOut,
        131026: .invalidNumber, 131021: .invalidNumber, 131030: .invalidNumber,
        132001: .templateNotApproved, 132015: .templateNotApproved, 132016: .templateNotApproved,
        132000: .templateValues, 132005: .templateValues, 132012: .templateValues, 131008: .templateValues, 131009: .templateValues,
        131042: .accountBilling,
        1: .outage, 2: .outage, 131000: .outage, 131016: .outage, 4: .outage, 80007: .outage, 130429: .outage, 131056: .outage,
        131047: .outsideWindow,
    ]
}

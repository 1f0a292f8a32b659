import Foundation

/// CA-01: business-initiated WhatsApp messages go only to customers who have not opted out. A customer opts out by
/// writing STOP (or an equivalent), and back in by writing START; the business may record an opt-out it was told of
/// another way, and lift only those.
enum OptOut {
    enum Keyword: Sendable, Equatable {
        case stop, start
    }

    enum Source: String, Sendable, Codable {
        /// The customer wrote a keyword.
        case keyword
        /// Meta refused a message because the customer stopped the business's messages (131050).
        case provider
        /// The business recorded it through the API.
        case api

        /// Only the business's own entries are the business's to lift: a customer's choice changes only by the
        /// customer's START.
        var liftableByBusiness: Bool { self == .api }
    }

    static let refusalCode = "recipient.opted_out"
    static let refusalMessage = "The customer opted out of WhatsApp messages from your business; they opt in again by writing START (CA-01)."

    /// Meta's error for a message to a customer who stopped the business's marketing messages.
    static let providerErrorCode = 131_050

    private static let stopWords: Set<String> = ["stop", "stop all", "stopall", "unsubscribe", "opt out", "optout", "opt-out"]
    private static let startWords: Set<String> = ["start", "unstop", "subscribe", "opt in", "optin", "opt-in"]

    /// The keyword a whole message is, ignoring case, surrounding space and trailing punctuation; nil for anything
    /// else ("please stop calling me" is a message, not an opt-out).
    static func keyword(in text: String?) -> Keyword? {
        guard let text else { return nil }
        let words = text.lowercased()
            .trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters).subtracting(CharacterSet(charactersIn: "-")))
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if stopWords.contains(words) { return .stop }
        if startWords.contains(words) { return .start }
        return nil
    }
}

import Foundation

/// CA-01: business-initiated WhatsApp messages go only to customers who have not opted out. A customer opts out by
/// writing STOP (or an equivalent, or tapping a template's stop button), and back in by writing START. Meta's 131050
/// says the customer stopped the business's marketing messages. The business may record an opt-out it was told of
/// another way, and lift only that one.
enum OptOut {
    enum Keyword: Sendable, Equatable {
        case stop, start
        /// A template's "Stop promotions" button: marketing only, like Meta's 131050.
        case stopMarketing
    }

    /// Where the customer's own choice came from.
    enum Source: String, Sendable, Codable {
        /// The customer wrote a keyword (or tapped a button saying one).
        case keyword
        /// The customer stopped the business's marketing messages only: Meta refused a message with 131050, or they tapped
        /// a template's "Stop promotions" button.
        case provider
    }

    static let refusalCode = "recipient.opted_out"
    static let refusalMessage = "The customer opted out of WhatsApp messages from your business; they opt in again by writing START (CA-01)."

    /// Meta's error for a message to a customer who stopped the business's marketing messages.
    static let providerErrorCode = 131_050

    /// CA-01: whether a template of `category` may not go to a contact: the business's own opt-out and a customer's STOP
    /// stop every template; Meta's 131050 stops marketing ones. (`OptOutStore` holds the same rule in SQL.)
    static func blocks(customerOut: Bool, customerSource: Source?, businessOut: Bool, category: String) -> Bool {
        businessOut || (customerOut && (customerSource == .keyword || category == "marketing"))
    }

    private static let stopWords: Set<String> = [
        "stop", "stop all", "stopall", "unsubscribe", "opt out", "optout", "opt-out",
        // Hindi and Hinglish, as Indian customers write it.
        "band karo", "bandh karo", "बंद करो", "बंद", "बन्द करो", "बन्द", "रोको", "रोकें",
    ]
    private static let stopMarketingWords: Set<String> = ["stop promotions", "stop promotion", "stop marketing"]
    private static let startWords: Set<String> = ["start", "unstop", "subscribe", "opt in", "optin", "opt-in", "shuru", "शुरू", "चालू करो"]

    /// The keyword a whole message is, ignoring case, surrounding space, punctuation and emoji; nil for anything else
    /// ("please stop calling me" is a message, not an opt-out).
    static func keyword(in text: String?) -> Keyword? {
        guard let text else { return nil }
        // Whole characters: one without a letter or digit (space, punctuation, an emoji with its variation selector or
        // joiner, a zero-width space) separates words; a letter keeps its combining marks (Devanagari vowel signs).
        let words = text.lowercased()
            .split { character in
                character != "-" && !character.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
            }
            .joined(separator: " ")
            .trimmingCharacters(in: CharacterSet(charactersIn: "- "))
        if stopWords.contains(words) { return .stop }
        if stopMarketingWords.contains(words) { return .stopMarketing }
        if startWords.contains(words) { return .start }
        return nil
    }
}

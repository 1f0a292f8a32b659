import Contracts
import Foundation

/// CA-57: the "First Message" tag: where a contact's very first WhatsApp message to the business came from. It is
/// applied with that message (in the webhook's own transaction) and never changes unless someone edits it.
enum FirstMessage {
    enum Source: String, Sendable, Codable, CaseIterable {
        /// A Click-to-WhatsApp ad (Meta's `referral`, `source_type` ad).
        case ad
        /// A Facebook or Instagram post (`source_type` post).
        case post
        /// One of the business's entry links (a product page, a website button), by its code in the prefilled text.
        case link
        /// An entry link printed as a QR code.
        case qr
        /// None of these: the customer found the number some other way.
        case direct
    }

    /// What Meta says about an ad or post the customer came from.
    struct Referral: Sendable, Equatable {
        var sourceType: String?
        var sourceID: String?
        var sourceURL: String?
        var headline: String?
        var clickID: String?
    }

    /// An entry link as the tag needs it.
    struct Link: Sendable, Equatable {
        var id: UUID
        var name: String
        var kind: EntryLink.Kind
    }

    struct Tag: Sendable, Equatable {
        var source: Source
        /// What the source is called: the link's name, the ad's headline (or id); nil for direct.
        var label: String?
        var linkID: UUID?
        var adID: String?
        var adURL: String?
        var clickID: String?
    }

    /// An ad or post Meta names wins (the customer tapped it to write); then an entry link whose code the message
    /// carries; otherwise direct.
    static func tag(referral: Referral?, link: Link?) -> Tag {
        if let referral, let type = referral.sourceType?.lowercased(), type == "ad" || type == "post" {
            return Tag(
                source: type == "ad" ? .ad : .post, label: clipped(referral.headline) ?? clipped(referral.sourceID), linkID: nil,
                adID: clipped(referral.sourceID), adURL: clipped(referral.sourceURL, to: 2_000), clickID: clipped(referral.clickID))
        }
        if let link {
            return Tag(source: link.kind == .qr ? .qr : .link, label: link.name, linkID: link.id, adID: nil, adURL: nil, clickID: nil)
        }
        return Tag(source: .direct, label: nil, linkID: nil, adID: nil, adURL: nil, clickID: nil)
    }

    /// Meta's values kept as they came, but never unbounded.
    private static func clipped(_ text: String?, to limit: Int = 200) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return String(text.prefix(limit))
    }
}

/// CA-57: a link (or its QR code) that opens a chat with a number, its message prefilled with a code that tells the
/// First Message tag where the customer came from.
enum EntryLink {
    enum Kind: String, Sendable, Codable, CaseIterable {
        case link, qr
    }

    /// Codes are six characters that cannot be misread (no 0/O, 1/I/L) in a bracket at the end of the text.
    static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    static let codeLength = 6

    static func newCode() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<codeLength).map { _ in alphabet.randomElement(using: &generator)! })
    }

    /// The prefilled message: the business's text, then the code.
    static func prefilled(_ text: String, code: String) -> String {
        text.isEmpty ? "[\(code)]" : "\(text) [\(code)]"
    }

    /// `https://wa.me/<number>?text=…`, WhatsApp's own click-to-chat form (the number's digits, from its E.164 form).
    static func url(digits number: String, text: String, code: String) -> String {
        // Only RFC 3986's unreserved characters go as they are: any client or QR scanner reads the text back the same.
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = prefilled(text, code: code).addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return "https://wa.me/\(number.filter(\.isNumber))?text=\(encoded)"
    }

    /// The code a message carries: the last bracketed code in it (the customer may have typed before or after the
    /// prefilled text, brackets of their own too), if it is one of ours in form.
    static func code(in text: String?) -> String? {
        guard let text else { return nil }
        // Each "[" opens a candidate of its own, so a stray one before the code hides nothing.
        let candidates = text.split(separator: "[", omittingEmptySubsequences: false).dropFirst().compactMap { part -> String? in
            guard let close = part.firstIndex(of: "]") else { return nil }
            return part[..<close].trimmingCharacters(in: .whitespaces).uppercased()
        }
        return candidates.last { $0.count == codeLength && $0.allSatisfy { alphabet.contains($0) } }
    }
}

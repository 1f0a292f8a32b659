import Foundation

/// A WhatsApp template as a company writes it, in the shape our JSON API receives (snake_case keys).
///
/// Every field that a company can get wrong is kept loose (strings, optionals) so that a bad value becomes a
/// `TemplateViolation` the caller can show next to the field, instead of an opaque decoding error.
struct TemplateContent: Codable, Equatable, Sendable {
    /// CA-06: the three categories, spelled as our API takes them.
    enum Category: String, CaseIterable, Sendable {
        case marketing, utility, authentication
    }

    /// CA-14, D-10: English, English (US), English (UK); `en` is the panel's default.
    static let languages = ["en", "en_US", "en_GB"]

    var name: String
    var language: String
    var category: String
    var header: TemplateHeader? = nil
    /// Optional so that a template without one is a violation (CA-17) rather than a decoding error.
    var body: TemplateBody? = nil
    var footer: TemplateFooter? = nil
    var buttons: [TemplateButton] = []
    /// Present (even empty) only for a carousel template (CA-25).
    var cards: [CarouselCard]? = nil

    enum CodingKeys: String, CodingKey {
        case name, language, category, header, body, footer, buttons, cards
    }

    var knownCategory: Category? { Category(rawValue: category) }

    var isCarousel: Bool { cards != nil }

    /// CA-34: how many values the variable-mapping step asks for, per component.
    var bodyVariableCount: Int { TemplateVariables.count(in: body?.text ?? "") }

    var headerVariableCount: Int {
        guard let header, header.type == .text else { return 0 }
        return TemplateVariables.count(in: header.text ?? "")
    }

    var urlButtonVariableCount: Int {
        buttons.reduce(0) { total, button in
            guard case .url(_, let url, _) = button else { return total }
            return total + TemplateVariables.count(in: url)
        }
    }

    /// Whether a campaign needs the mapping step at all (CA-34).
    var hasVariables: Bool { bodyVariableCount + headerVariableCount + urlButtonVariableCount > 0 }
}

extension TemplateContent {
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // Absent name and category become empty strings, which the validator names; absent language is the default.
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        language = try container.decodeIfPresent(String.self, forKey: .language) ?? "en"
        category = try container.decodeIfPresent(String.self, forKey: .category) ?? ""
        header = try container.decodeIfPresent(TemplateHeader.self, forKey: .header)
        body = try container.decodeIfPresent(TemplateBody.self, forKey: .body)
        footer = try container.decodeIfPresent(TemplateFooter.self, forKey: .footer)
        buttons = try container.decodeIfPresent([TemplateButton].self, forKey: .buttons) ?? []
        cards = try container.decodeIfPresent([CarouselCard].self, forKey: .cards)
    }
}

import Foundation

extension TemplateValidator {
    static let cardCount = 2...10
    static let maxCardHeadlineLength = 80
    static let maxCardDescriptionLength = 160
    /// Meta's limit of a card's BODY, which holds headline and description together.
    static let maxCardTextLength = 160
    static let maxCardButtons = 2

    /// CA-25: the carousel as a whole, then each card.
    static func checkCards(_ cards: [CarouselCard], category: TemplateContent.Category?, _ report: inout Report) {
        if !cardCount.contains(cards.count) {  // CA-25
            report.add("template.carousel.card_count", "cards", "A carousel has 2 to 10 cards (CA-25); this one has \(cards.count).")
        }
        if let category, category != .marketing {
            report.add("template.carousel.not_marketing", "category", "A carousel is a Marketing template; this one is \(category.rawValue).")
        }
        // Meta approves a carousel only when every card is built the same way.
        let shapes = Set(
            cards.map { card in
                [card.mediaType, card.headline.isEmpty && card.description.isEmpty ? "" : "text"] + card.buttons.map(\.type)
            })
        if shapes.count > 1 {
            report.add(
                "template.carousel.cards_mismatch", "cards",
                "Every card has the same media type, the same text parts and the same buttons in the same order.")
        }
        for (index, card) in cards.enumerated() {
            checkCard(card, prefix: "cards.\(index)", &report)
        }
    }

    /// CA-25
    static func checkCard(_ card: CarouselCard, prefix: String, _ report: inout Report) {
        let mediaField = "\(prefix).media"
        if let kind = card.mediaKind, kind != .document {
            checkMedia(card.media, kind: kind, codePrefix: "template.card.media", field: mediaField, &report)
        } else {
            if card.media.map({ !TemplateURL.isAbsoluteHTTP($0.url) }) ?? true {
                report.add("template.card.media.missing", mediaField, "Each card needs an image or a video, as an http(s) URL (CA-25).")
            }
            report.add(
                "template.card.media.format", mediaField,
                "A card shows an image or a video (CA-25); its media_type is '\(card.mediaType)'.")
        }
        if card.headline.count > maxCardHeadlineLength {  // CA-25
            report.add(
                "template.card.headline.too_long", "\(prefix).headline",
                "A card headline has at most 80 characters (CA-25); this one has \(card.headline.count).")
        }
        if card.description.count > maxCardDescriptionLength {  // CA-25
            report.add(
                "template.card.description.too_long", "\(prefix).description",
                "A card description has at most 160 characters (CA-25); this one has \(card.description.count).")
        }
        // Meta has no headline on a card: both travel as the card's one BODY, headline on the first line, and Meta
        // refuses a card BODY over 160 characters. CA-25's 80 + 160 cannot both be used to the full.
        let cardText = MetaTemplatePayload.cardText(card)
        if card.headline.count <= maxCardHeadlineLength, card.description.count <= maxCardDescriptionLength,
           cardText.count > maxCardTextLength
        {
            report.add(
                "template.card.text.too_long", "\(prefix).description",
                "WhatsApp shows a card's headline and description as one text of at most 160 characters; together these have \(cardText.count).")
        }
        for (name, text) in [("headline", card.headline), ("description", card.description)] {
            let field = "\(prefix).\(name)"
            if !TemplateVariables.placeholders(in: text).isEmpty || !TemplateVariables.malformed(in: text).isEmpty {
                report.add("template.card.variable", field, "Carousel cards are fixed: their texts take no variables.")
            }
            checkLinks(in: text, field: field, &report)
        }
        if card.buttons.count > maxCardButtons {  // CA-25
            report.add(
                "template.card.buttons.too_many", "\(prefix).buttons",
                "A card has at most 2 buttons (CA-25); this one has \(card.buttons.count).")
        }
        for (index, button) in card.buttons.enumerated() {
            let field = "\(prefix).buttons.\(index)"
            switch button {
            case .quickReply(let text):
                checkLabel(text, field: field, &report)
            case .url(let text, let url, _):
                checkLabel(text, field: field, &report)
                checkURL(url, sample: nil, field: field, variablesAllowed: false, &report)
            case .phoneNumber(let text, let phoneNumber):
                checkLabel(text, field: field, &report)
                checkPhone(phoneNumber, field: field, &report)
            case .copyCode, .unknown:  // CA-25
                report.add(
                    "template.button.type.invalid", field,
                    "A card button is a quick reply, a URL or a phone number (CA-25); '\(button.type)' is not.")
            }
        }
    }
}

import Contracts
import Foundation

/// The body of Meta's `POST /{version}/{phone-number-id}/messages` that sends an approved template to one recipient.
///
/// Only components that carry parameters are included: a text header or body with variables, a URL button with a
/// variable, every media header (Meta needs the media at send time), every copy-code button (the coupon is sent with
/// each message) and, for a carousel, each card's media.
struct TemplateMessage: Encodable, Equatable, Sendable {
    var messagingProduct = "whatsapp"
    var recipientType = "individual"
    /// Digits only, no `+`: how Meta writes a WhatsApp id.
    var to: String
    var type = "template"
    var template: Template

    enum CodingKeys: String, CodingKey {
        case to, type, template
        case messagingProduct = "messaging_product"
        case recipientType = "recipient_type"
    }

    struct Template: Encodable, Equatable, Sendable {
        var name: String
        var language: Language
        var components: [Component]?
    }

    struct Language: Encodable, Equatable, Sendable {
        var code: String
    }

    struct Component: Encodable, Equatable, Sendable {
        var type: String
        var subType: String? = nil
        /// Meta takes the button's position as a string.
        var index: String? = nil
        var parameters: [Parameter]? = nil
        var cards: [Card]? = nil

        enum CodingKeys: String, CodingKey {
            case type, index, parameters, cards
            case subType = "sub_type"
        }
    }

    struct Card: Encodable, Equatable, Sendable {
        var cardIndex: Int
        var components: [Component]

        enum CodingKeys: String, CodingKey {
            case components
            case cardIndex = "card_index"
        }
    }

    struct Parameter: Encodable, Equatable, Sendable {
        var type: String
        var text: String? = nil
        var image: MediaLink? = nil
        var video: MediaLink? = nil
        var document: MediaLink? = nil
        var couponCode: String? = nil

        enum CodingKeys: String, CodingKey {
            case type, text, image, video, document
            case couponCode = "coupon_code"
        }

        static func text(_ text: String) -> Parameter { Parameter(type: "text", text: text) }

        static func media(_ kind: TemplateMediaKind, link: String) -> Parameter {
            let media = MediaLink(link: link)
            return switch kind {
            case .image: Parameter(type: "image", image: media)
            case .video: Parameter(type: "video", video: media)
            case .document: Parameter(type: "document", document: media)
            }
        }
    }

    struct MediaLink: Encodable, Equatable, Sendable {
        var link: String
    }

    /// - Parameters:
    ///   - recipient: E.164, `+919876543210`.
    ///   - body: the body's values, `body[i]` for `{{i+1}}`.
    ///   - header: a text header's `{{1}}`, or a media header's link for this recipient (the template's sample otherwise).
    ///   - urlButton: the URL button's `{{1}}`.
    init(
        template content: TemplateContent, to recipient: String, body bodyValues: [String] = [], header headerValue: String? = nil,
        urlButton urlValue: String? = nil
    ) throws(TemplateMessageError) {
        guard let number = PhoneNumber(e164: recipient) else { throw .invalidRecipient(recipient) }
        to = String(number.e164.dropFirst())
        var components: [Component] = []
        if let top = content.header, !content.isCarousel, let component = try Self.header(top, value: headerValue) {
            components.append(component)
        }
        let bodyCount = content.bodyVariableCount
        if bodyCount > 0 {
            let values = try (0..<bodyCount).map { index throws(TemplateMessageError) in
                try Self.value(index < bodyValues.count ? bodyValues[index] : nil, component: "body", placeholder: index + 1)
            }
            components.append(Component(type: "body", parameters: values.map(Parameter.text)))
        }
        if !content.isCarousel {
            for (index, button) in content.buttons.enumerated() {
                if let component = try Self.button(button, index: index, value: urlValue) { components.append(component) }
            }
        }
        if let cards = content.cards {
            components.append(Component(type: "carousel", cards: cards.enumerated().map(Self.card)))
        }
        template = Template(name: content.name, language: Language(code: content.language), components: components.isEmpty ? nil : components)
    }

    static func header(_ header: TemplateHeader, value: String?) throws(TemplateMessageError) -> Component? {
        if header.type == .text {
            guard TemplateVariables.count(in: header.text ?? "") > 0 else { return nil }
            let text = try Self.value(value, component: "header", placeholder: 1)
            return Component(type: "header", parameters: [.text(text)])
        }
        guard let kind = header.type.media else { return nil }
        let link = value.flatMap { TemplateValidator.isBlank($0) ? nil : $0 } ?? header.media?.url ?? ""
        return Component(type: "header", parameters: [.media(kind, link: link)])
    }

    static func button(_ button: TemplateButton, index: Int, value: String?) throws(TemplateMessageError) -> Component? {
        switch button {
        case .url(_, let url, _) where TemplateVariables.count(in: url) > 0:
            let suffix = try Self.value(value, component: "buttons.\(index)", placeholder: 1)
            return Component(type: "button", subType: "url", index: String(index), parameters: [.text(suffix)])
        case .copyCode(let code):
            return Component(
                type: "button", subType: "copy_code", index: String(index), parameters: [Parameter(type: "coupon_code", couponCode: code)])
        default:
            return nil
        }
    }

    static func card(_ index: Int, _ card: CarouselCard) -> Card {
        let parameters = card.mediaKind.map { [Parameter.media($0, link: card.media?.url ?? "")] }
        return Card(cardIndex: index, components: parameters.map { [Component(type: "header", parameters: $0)] } ?? [])
    }

    /// Meta refuses an empty parameter, so a blank value is as missing as an absent one.
    static func value(_ value: String?, component: String, placeholder: Int) throws(TemplateMessageError) -> String {
        guard let value, !TemplateValidator.isBlank(value) else { throw .missingValue(component: component, placeholder: placeholder) }
        return value
    }

    /// The plain-text preview of what the recipient reads: text header, body and footer, one per line, variables
    /// filled in (a missing value leaves nothing). Used for test sends and reports.
    static func render(_ template: TemplateContent, body: [String] = [], header: String? = nil) -> String {
        var lines: [String] = []
        if let top = template.header, top.type == .text, let text = top.text {
            lines.append(TemplateVariables.render(text, values: header.map { [$0] } ?? []))
        }
        if let text = template.body?.text { lines.append(TemplateVariables.render(text, values: body)) }
        if let text = template.footer?.text { lines.append(text) }
        return lines.filter { !$0.isEmpty }.joined(separator: "\n")
    }
}

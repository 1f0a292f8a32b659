import Foundation

/// The body of Meta's `POST /{version}/{waba-id}/message_templates`: a template submitted for review (D-11).
///
/// Built only from a template without violations. `example` appears only where there are variables (or media, whose
/// sample Meta needs to review it). Media samples are passed as the `header_handle` by URL; uploading them to Meta's
/// resumable-upload API first, when a provider needs a handle, is the provider client's job.
struct MetaTemplatePayload: Encodable, Equatable, Sendable {
    var name: String
    var language: String
    var category: String
    var components: [Component]

    struct Component: Encodable, Equatable, Sendable {
        var type: String
        var format: String? = nil
        var text: String? = nil
        var example: Example? = nil
        var buttons: [Button]? = nil
        var cards: [Card]? = nil
    }

    struct Example: Encodable, Equatable, Sendable {
        var headerText: [String]? = nil
        var headerHandle: [String]? = nil
        /// One row of samples: Meta takes a list of rows and reviews the first.
        var bodyText: [[String]]? = nil

        enum CodingKeys: String, CodingKey {
            case headerText = "header_text"
            case headerHandle = "header_handle"
            case bodyText = "body_text"
        }
    }

    struct Button: Encodable, Equatable, Sendable {
        var type: String
        var text: String? = nil
        var url: String? = nil
        var phoneNumber: String? = nil
        var example: ButtonExample? = nil

        enum CodingKeys: String, CodingKey {
            case type, text, url, example
            case phoneNumber = "phone_number"
        }
    }

    /// A URL button's example is a list of full URLs; a copy-code button's is the code itself.
    enum ButtonExample: Encodable, Equatable, Sendable {
        case urls([String])
        case code(String)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .urls(let urls): try container.encode(urls)
            case .code(let code): try container.encode(code)
            }
        }
    }

    struct Card: Encodable, Equatable, Sendable {
        var components: [Component]
    }

    /// Throws the template's violations instead of sending Meta something it would reject.
    init(_ template: TemplateContent) throws(TemplateRejection) {
        let violations = TemplateValidator.violations(of: template)
        guard violations.isEmpty else { throw TemplateRejection(violations: violations) }
        name = template.name
        language = template.language
        category = template.category.uppercased()
        components = []
        if let header = template.header, let component = Self.header(header) { components.append(component) }
        if let body = template.body { components.append(Self.body(body)) }
        if let footer = template.footer, !TemplateValidator.isBlank(footer.text) {
            components.append(Component(type: "FOOTER", text: footer.text))
        }
        if !template.buttons.isEmpty {
            components.append(Component(type: "BUTTONS", buttons: template.buttons.compactMap(Self.button)))
        }
        if let cards = template.cards {
            components.append(Component(type: "CAROUSEL", cards: cards.map(Self.card)))
        }
    }

    static func header(_ header: TemplateHeader) -> Component? {
        if header.type == .text {
            let text = header.text ?? ""
            let count = TemplateVariables.count(in: text)
            let example = count > 0 ? Example(headerText: Array(header.samples.prefix(count))) : nil
            return Component(type: "HEADER", format: "TEXT", text: text, example: example)
        }
        guard let kind = header.type.media, let media = header.media else { return nil }
        return mediaHeader(kind, media)
    }

    static func mediaHeader(_ kind: TemplateMediaKind, _ media: MediaSample) -> Component {
        Component(type: "HEADER", format: kind.metaFormat, example: Example(headerHandle: [media.url]))
    }

    static func body(_ body: TemplateBody) -> Component {
        let count = TemplateVariables.count(in: body.text)
        let example = count > 0 ? Example(bodyText: [Array(body.samples.prefix(count))]) : nil
        return Component(type: "BODY", text: body.text, example: example)
    }

    static func button(_ button: TemplateButton) -> Button? {
        switch button {
        case .quickReply(let text):
            return Button(type: "QUICK_REPLY", text: text)
        case .url(let text, let url, let sample):
            let hasVariable = TemplateVariables.count(in: url) > 0
            let example = hasVariable ? ButtonExample.urls([TemplateVariables.render(url, values: [sample ?? ""])]) : nil
            return Button(type: "URL", text: text, url: url, example: example)
        case .phoneNumber(let text, let phoneNumber):
            return Button(type: "PHONE_NUMBER", text: text, phoneNumber: phoneNumber)
        case .copyCode(let code):
            return Button(type: "COPY_CODE", example: .code(code))
        case .unknown:
            return nil
        }
    }

    /// A card's headline and description as Meta's card BODY: the headline on the first line.
    static func cardText(_ card: CarouselCard) -> String {
        [card.headline, card.description].filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// A card's headline and description are one BODY on Meta's side, the headline on the first line.
    static func card(_ card: CarouselCard) -> Card {
        var components: [Component] = []
        if let kind = card.mediaKind, let media = card.media { components.append(mediaHeader(kind, media)) }
        let text = cardText(card)
        if !text.isEmpty { components.append(Component(type: "BODY", text: text)) }
        if !card.buttons.isEmpty { components.append(Component(type: "BUTTONS", buttons: card.buttons.compactMap(button))) }
        return Card(components: components)
    }
}

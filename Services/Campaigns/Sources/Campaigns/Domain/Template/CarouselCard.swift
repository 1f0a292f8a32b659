import Foundation

/// CA-25: one card of a carousel template: an image or video, a headline, a description and up to 2 buttons.
///
/// Cards are static in this product: their texts and URLs take no variables (`template.card.variable`), so a
/// campaign's mapping step (CA-34) never has to ask for per-card values.
struct CarouselCard: Codable, Equatable, Sendable {
    /// `image` or `video`; kept as written so that anything else is reported, not a decoding error.
    var mediaType: String
    var media: MediaSample? = nil
    var headline: String = ""
    var description: String = ""
    var buttons: [TemplateButton] = []

    enum CodingKeys: String, CodingKey {
        case media, headline, description, buttons
        case mediaType = "media_type"
    }

    var mediaKind: TemplateMediaKind? { TemplateMediaKind(rawValue: mediaType) }
}

extension CarouselCard {
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mediaType = try container.decodeIfPresent(String.self, forKey: .mediaType) ?? ""
        media = try container.decodeIfPresent(MediaSample.self, forKey: .media)
        headline = try container.decodeIfPresent(String.self, forKey: .headline) ?? ""
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        buttons = try container.decodeIfPresent([TemplateButton].self, forKey: .buttons) ?? []
    }
}

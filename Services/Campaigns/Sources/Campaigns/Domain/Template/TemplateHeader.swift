import Foundation

/// CA-20: the optional header of a template, one of text, image, video or document, never combined.
struct TemplateHeader: Codable, Equatable, Sendable {
    /// A type our API does not know decodes as `.unknown`, so it is reported (`template.header.type.invalid`)
    /// rather than failing the whole request.
    enum Kind: Hashable, Sendable, Codable {
        case text, image, video, document
        case unknown(String)

        init(rawValue: String) {
            switch rawValue {
            case "text": self = .text
            case "image": self = .image
            case "video": self = .video
            case "document": self = .document
            default: self = .unknown(rawValue)
            }
        }

        var rawValue: String {
            switch self {
            case .text: "text"
            case .image: "image"
            case .video: "video"
            case .document: "document"
            case .unknown(let value): value
            }
        }

        /// The media this header carries; nil for a text or unknown header.
        var media: TemplateMediaKind? { TemplateMediaKind(rawValue: rawValue) }

        init(from decoder: any Decoder) throws {
            self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }

    var type: Kind
    /// Text headers only (CA-21).
    var text: String? = nil
    /// Text headers only: the sample for `{{1}}` (CA-19).
    var samples: [String] = []
    /// Media headers only: a sample of the image, video or document (CA-22).
    var media: MediaSample? = nil

    enum CodingKeys: String, CodingKey {
        case type, text, samples, media
    }

    static func text(_ text: String, samples: [String] = []) -> TemplateHeader {
        TemplateHeader(type: .text, text: text, samples: samples)
    }

    static func media(_ kind: TemplateMediaKind, _ sample: MediaSample) -> TemplateHeader {
        TemplateHeader(type: Kind(rawValue: kind.rawValue), media: sample)
    }
}

extension TemplateHeader {
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decodeIfPresent(Kind.self, forKey: .type) ?? .unknown("")
        text = try container.decodeIfPresent(String.self, forKey: .text)
        samples = try container.decodeIfPresent([String].self, forKey: .samples) ?? []
        media = try container.decodeIfPresent(MediaSample.self, forKey: .media)
    }
}

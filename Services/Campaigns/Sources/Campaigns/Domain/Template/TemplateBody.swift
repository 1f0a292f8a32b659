import Foundation

/// CA-17: the body text every template needs, with one sample per variable (CA-19).
struct TemplateBody: Codable, Equatable, Sendable {
    var text: String
    /// `samples[i]` is the sample for `{{i+1}}`.
    var samples: [String] = []

    enum CodingKeys: String, CodingKey {
        case text, samples
    }
}

extension TemplateBody {
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decodeIfPresent(String.self, forKey: .text) ?? ""
        samples = try container.decodeIfPresent([String].self, forKey: .samples) ?? []
    }
}

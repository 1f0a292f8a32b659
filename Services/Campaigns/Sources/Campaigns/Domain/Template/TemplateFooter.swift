import Foundation

/// The optional footer line: plain text, no variables (CA-18).
struct TemplateFooter: Codable, Equatable, Sendable {
    var text: String

    enum CodingKeys: String, CodingKey {
        case text
    }
}

extension TemplateFooter {
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decodeIfPresent(String.self, forKey: .text) ?? ""
    }
}

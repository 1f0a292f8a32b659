import Foundation

/// One thing wrong with a template: a stable `code` for programs, the `field` it is about (`body.samples`,
/// `buttons.2`, `cards.3.headline`) and a `message` for people. Listed in `TemplateValidator`.
struct TemplateViolation: Codable, Hashable, Sendable {
    var code: String
    var field: String
    var message: String

    enum CodingKeys: String, CodingKey {
        case code, field, message
    }
}

import Foundation

/// A template that cannot be turned into Meta's request because it breaks rules; carries all its violations.
struct TemplateRejection: Error, Equatable, Sendable {
    var violations: [TemplateViolation]
}

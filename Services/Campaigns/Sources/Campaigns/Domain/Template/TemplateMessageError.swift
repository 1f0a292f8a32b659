import Foundation

/// Why a template message could not be built for one recipient.
enum TemplateMessageError: Error, Equatable, Sendable {
    /// The recipient is not an E.164 number.
    case invalidRecipient(String)
    /// A variable has no value, or a blank one, which Meta refuses: `component` is `header`, `body` or `buttons.<i>`.
    case missingValue(component: String, placeholder: Int)
}

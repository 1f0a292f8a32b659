import Foundation

/// Why a template message could not be built for one recipient.
enum TemplateMessageError: Error, Equatable, Sendable {
    /// The recipient is not an E.164 number.
    case invalidRecipient(String)
    /// A variable has no value, or a blank one, which Meta refuses: `component` is `header`, `body` or `buttons.<i>`.
    case missingValue(component: String, placeholder: Int)
}

extension TemplateMessageError {
    /// For people: which value is missing.
    var message: String {
        switch self {
        case .invalidRecipient(let recipient): "\(recipient) is not a phone number in E.164 form."
        case .missingValue(let component, let placeholder):
            "The \(component) variable {{\(placeholder)}} needs a value; give it in values or set a fallback (CA-35)."
        }
    }
}

import Foundation
import ServiceKit

/// CA-52: a pre-written reply from the company's shared library. Agents insert it by typing "/" and its shortcut;
/// like any free-form message it goes only inside the customer's 24-hour window and needs no approval. Its
/// variables fill in when it is sent:
/// - `{{contact.name}}`: the customer's WhatsApp profile name, or their number when WhatsApp never told us a name
///   (how WhatsApp itself shows a contact without one);
/// - `{{contact.phone}}`: the customer's number, `+91…`;
/// - `{{business.name}}`: the display name of the WhatsApp number it is sent from.
enum CannedMessage {
    static let variables: Set<String> = ["contact.name", "contact.phone", "business.name"]
    /// Room for the values: at most `maxVariables` of at most `maxValue` characters keep a sent text within Meta's
    /// 4,096.
    static let maxText = 3_000
    static let maxVariables = 10
    static let maxValue = 100
    static let maxShortcut = 30

    typealias Violation = FieldViolation

    /// What the values are for one send.
    struct Values: Sendable, Equatable {
        var contactName: String?
        var contactPhone: String
        var businessName: String
    }

    /// The shortcut typed after "/": lower-case letters, digits, `_` and `-`, 1 to 30.
    static func shortcut(_ text: String) -> Result<String, Violation> {
        let shortcut = text.hasPrefix("/") ? String(text.dropFirst()) : text
        guard (1...maxShortcut).contains(shortcut.count),
            shortcut.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" })
        else {
            return .failure(Violation(
                code: "canned_message.shortcut.invalid", field: "shortcut",
                message: "The shortcut is what an agent types after \"/\": 1 to \(maxShortcut) lower-case letters, digits, '_' or '-'."))
        }
        return .success(shortcut)
    }

    /// CA-52: the text trimmed, within the limits, with known variables only.
    static func text(_ text: String) -> Result<String, Violation> {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // Code points, as Meta may count them, so that the filled text stays within its 4,096.
        guard !trimmed.isEmpty, trimmed.unicodeScalars.count <= maxText, !TextRules.hasControlCharacters(trimmed, allowingNewline: true) else {
            return .failure(Violation(
                code: "canned_message.text.invalid", field: "text",
                message: "The text has 1 to \(maxText) characters and no control characters but newlines."))
        }
        var used = 0
        for piece in pieces(trimmed) {
            guard case .variable(let name) = piece else { continue }
            guard let name, variables.contains(name) else {
                return .failure(Violation(
                    code: "canned_message.variable.unknown", field: "text",
                    message: "Variables are {{contact.name}}, {{contact.phone}} and {{business.name}}, each written whole."))
            }
            used += 1
        }
        guard used <= maxVariables else {
            return .failure(Violation(
                code: "canned_message.variable.too_many", field: "text", message: "A canned message has at most \(maxVariables) variables."))
        }
        return .success(trimmed)
    }

    /// The text as the customer gets it. A value is cut to `maxValue` code points; control characters in it (a
    /// profile name is the customer's own text) become spaces.
    static func render(_ text: String, with values: Values) -> String {
        pieces(text).reduce(into: "") { result, piece in
            switch piece {
            case .text(let text): result += text
            case .variable(let name):
                let value: String =
                    switch name {
                    case "contact.name": values.contactName.flatMap { $0.isEmpty ? nil : $0 } ?? values.contactPhone
                    case "contact.phone": values.contactPhone
                    case "business.name": values.businessName
                    default: ""
                    }
                var scalars = String.UnicodeScalarView()
                for scalar in value.unicodeScalars.prefix(maxValue) {
                    scalars.append(scalar.properties.generalCategory == .control ? " " : scalar)
                }
                result += String(scalars)
            }
        }
    }

    private enum Piece {
        case text(String)
        /// `nil`: braces that name nothing readable (`{{ }}`, an unclosed `{{`).
        case variable(String?)
    }

    /// The text split at `{{…}}`; spaces inside the braces are allowed (`{{ contact.name }}`).
    private static func pieces(_ text: String) -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { pieces.append(.text(String(rest[..<open.lowerBound]))) }
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else {
                pieces.append(.variable(nil))
                return pieces
            }
            let name = after[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            pieces.append(.variable(name.isEmpty || name.contains("{") ? nil : name))
            rest = after[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        return pieces
    }
}

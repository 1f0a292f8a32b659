public import Contracts
import Foundation

/// Edge checks of free text and phone numbers that every API shares.
public enum TextRules {
    /// Whether `text` holds a control character (NUL, escape, …); `newline` lets line feeds through.
    public static func hasControlCharacters(_ text: some StringProtocol, allowingNewline newline: Bool = false) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control && !(newline && $0 == "\n") }
    }

    /// Longer than `max` characters, or than text of `max` characters is in practice: more than 8 bytes of UTF-8 a
    /// character on average (Hindi runs at 3–12, an emoji flag at 8). A character may carry any number of marks, and one
    /// carrying thousands would reach the index behind the field, which PostgreSQL refuses over ~2,700 bytes; for the
    /// indexed fields (at most a few hundred characters) the byte cap keeps every entry under that.
    public static func isTooLong(_ text: some StringProtocol, max: Int) -> Bool {
        text.utf8.count > 8 * max || text.count > max
    }

    /// 1 to `max` characters once trimmed, and no control characters but newlines.
    public static func check(_ text: String, field: String, max: Int, code: String) throws {
        _ = try trimmed(text, field: field, max: max, code: code)
    }

    /// The text without surrounding white space, checked as `check` does.
    public static func trimmed(_ text: String, field: String, max: Int, code: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty || isTooLong(text, max: max) || hasControlCharacters(text, allowingNewline: true) {
            throw APIError.unprocessable(code, "The \(field) must have 1 to \(max) characters and no control characters.", field: field)
        }
        return trimmed
    }

    /// An E.164 number, or an Indian number written the usual ways (D-13 normalisation). A `+91` number must have
    /// the ten national digits every Indian number has.
    public static func phone(_ text: String, field: String) throws -> PhoneNumber {
        if let number = PhoneNumber(e164: text), number.hasValidIndianLength { return number }
        if case .success(let number) = PhoneNumber.indian(text) { return number }
        throw APIError.unprocessable("phone.invalid", "The \(field) must be a phone number in E.164 form, such as +919876543210.", field: field)
    }
}

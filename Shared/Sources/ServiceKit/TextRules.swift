public import Contracts
import Foundation

/// Edge checks of free text and phone numbers that every API shares.
public enum TextRules {
    /// Whether `text` holds a control character (NUL, escape, …); `newline` lets line feeds through.
    public static func hasControlCharacters(_ text: some StringProtocol, allowingNewline newline: Bool = false) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control && !(newline && $0 == "\n") }
    }

    /// Longer than `max` characters, or than `maxBytes` of UTF-8: by default 16 a character, more than any script's text
    /// averages (Hindi text runs at 4–5; a single dense conjunct takes 12 to 18). A character may carry any number of marks,
    /// and one carrying thousands would reach the index behind its field: PostgreSQL refuses an index entry over
    /// ~2,700 bytes. At the default a field of up to 125 characters stays under `indexedBytes`; a longer indexed one
    /// passes `indexedBytes` itself.
    public static func isTooLong(_ text: some StringProtocol, max: Int, maxBytes: Int? = nil) -> Bool {
        text.utf8.count > (maxBytes ?? 16 * max) || text.count > max
    }

    /// What a text behind an index may take, with room left for the rest of the entry.
    public static let indexedBytes = 2_000

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

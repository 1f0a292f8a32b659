import Foundation

/// CA-18: the `{{n}}` placeholders of a template text, how many values a text takes, and rendering it.
///
/// A placeholder is `{{` digits `}}` with nothing else inside (`{{0}}` is read as 0 so the validator can call it
/// out of sequence). Anything else that looks like one is malformed: spaces or other characters inside
/// (`{{ 1 }}`, `{{a}}`, `{{}}`), a leading zero (`{{01}}`), a `{{` that is never closed, a `}}` never opened.
/// Meta would not substitute those, so a customer would see the braces.
enum TemplateVariables {
    enum Token: Equatable, Sendable {
        case literal(String)
        case placeholder(Int)
        case malformed(String)
    }

    static func tokens(in text: String) -> [Token] {
        // Scalars, not Characters: a combining mark after `{` must not hide the brace inside a grapheme cluster.
        let scalars = Array(text.unicodeScalars)
        func string(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(scalars[range])) }
        func pair(_ brace: Unicode.Scalar, at index: Int) -> Bool {
            index + 1 < scalars.count && scalars[index] == brace && scalars[index + 1] == brace
        }
        var tokens: [Token] = []
        var literalStart = 0
        var index = 0
        func flushLiteral(upTo end: Int) {
            if literalStart < end { tokens.append(.literal(string(literalStart..<end))) }
        }
        while index < scalars.count {
            if pair("{", at: index) {
                flushLiteral(upTo: index)
                var close = index + 2
                var reopened = false
                while close < scalars.count, !pair("}", at: close) {
                    if pair("{", at: close) {
                        reopened = true
                        break
                    }
                    close += 1
                }
                if reopened || close >= scalars.count {
                    // An unclosed `{{`: report it and read on from the next character.
                    tokens.append(.malformed("{{"))
                    index = reopened ? close : index + 2
                } else {
                    let inner = string((index + 2)..<close)
                    let isNumber =
                        !inner.isEmpty && inner.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
                        && (inner == "0" || !inner.hasPrefix("0"))
                    // A body has at most 1,024 characters, so no real template gets near {{1000}}; larger numbers
                    // (up to Int overflow) are written in error and would only make the checks below huge.
                    if isNumber, inner.count <= 4, let number = Int(inner), number <= maximumPlaceholder {
                        tokens.append(.placeholder(number))
                    } else {
                        tokens.append(.malformed(string(index..<(close + 2))))
                    }
                    index = close + 2
                }
                literalStart = index
            } else if pair("}", at: index) {
                flushLiteral(upTo: index)
                tokens.append(.malformed("}}"))
                index += 2
                literalStart = index
            } else {
                index += 1
            }
        }
        flushLiteral(upTo: scalars.count)
        return tokens
    }

    /// The placeholder numbers in order of appearance, repeats included.
    /// The highest `{{n}}` read as a placeholder; anything above is malformed.
    static let maximumPlaceholder = 1_000

    static func placeholders(in text: String) -> [Int] {
        tokens(in: text).compactMap { if case .placeholder(let number) = $0 { number } else { nil } }
    }

    /// What looks like a placeholder but is not one, as written.
    static func malformed(in text: String) -> [String] {
        tokens(in: text).compactMap { if case .malformed(let written) = $0 { written } else { nil } }
    }

    /// How many values a text takes: its highest `{{n}}` (values[i] fills `{{i+1}}`), 0 when it has none.
    static func count(in text: String) -> Int {
        placeholders(in: text).max() ?? 0
    }

    /// CA-15, D-10: the numbers used are exactly 1…n; repeating one is fine.
    static func isSequential(_ placeholders: [Int]) -> Bool {
        let used = Set(placeholders)
        guard let highest = used.max() else { return true }
        return used == Set(1..<(highest + 1))
    }

    /// Replaces `{{i}}` with `values[i-1]`; a value that is missing leaves nothing. Malformed text is kept as written.
    static func render(_ text: String, values: [String]) -> String {
        tokens(in: text).map { token in
            switch token {
            case .literal(let text), .malformed(let text): text
            case .placeholder(let number): values.indices.contains(number - 1) ? values[number - 1] : ""
            }
        }.joined()
    }
}

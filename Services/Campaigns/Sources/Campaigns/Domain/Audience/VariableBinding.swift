/// CA-34, CA-35: what fills one template variable: an audience column (`name` and `phonenumber` included) or a
/// fixed text, and for a column a fallback used when that recipient's cell is blank. JSON: `{"column": "amount",
/// "fallback": "0"}` or `{"text": "Diwali sale"}`.
struct VariableBinding: Codable, Equatable, Hashable, Sendable {
    var column: String?
    var text: String?
    var fallback: String?

    init(column: String? = nil, text: String? = nil, fallback: String? = nil) {
        self.column = column
        self.text = text
        self.fallback = fallback
    }

    static func column(_ name: String, fallback: String? = nil) -> VariableBinding {
        VariableBinding(column: name, fallback: fallback)
    }

    static func text(_ value: String) -> VariableBinding { VariableBinding(text: value) }

    /// A blank column or text counts as not given: neither can fill a variable.
    var givenColumn: String? { column.flatMap { AudienceHeader.trim($0).isEmpty ? nil : $0 } }
    var givenText: String? { text.flatMap { AudienceHeader.trim($0).isEmpty ? nil : $0 } }
    var givenFallback: String? { fallback.flatMap { AudienceHeader.trim($0).isEmpty ? nil : $0 } }
}

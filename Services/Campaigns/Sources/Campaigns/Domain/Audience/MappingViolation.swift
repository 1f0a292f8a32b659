/// One reason a `VariableMapping` does not fit its template or audience (CA-34); `field` names the request path
/// (`body`, `body[1]`, `header`, `button`).
struct MappingViolation: Equatable, Hashable, Sendable, Codable {
    enum Code: String, Equatable, Hashable, Sendable, Codable {
        /// The number of body bindings differs from the template's body variables.
        case countMismatch = "mapping.count_mismatch"
        /// A binding names a column the audience file does not have.
        case unknownColumn = "mapping.column.unknown"
        /// A binding gives neither or both of `column` and `text`.
        case invalidBinding = "mapping.binding.invalid"
        /// The template's header has a variable but no binding was given.
        case headerMissing = "mapping.header.missing"
        /// The template's URL button has a variable but no binding was given.
        case buttonMissing = "mapping.button.missing"
        /// A header or button binding for a template that has no such variable.
        case unexpected = "mapping.unexpected"
    }

    var code: Code
    var field: String
    var message: String
}

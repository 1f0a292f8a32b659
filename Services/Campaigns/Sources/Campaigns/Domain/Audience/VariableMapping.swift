/// CA-34, CA-35: how a campaign fills its template's variables: one binding per body variable `{{1}}…{{n}}` in
/// order, and one for the text header's `{{1}}` and the URL button's `{{1}}` when the template has them.
struct VariableMapping: Codable, Equatable, Hashable, Sendable {
    var body: [VariableBinding]
    var header: VariableBinding?
    var button: VariableBinding?

    /// The mapping of a template without placeholders.
    static let empty = VariableMapping()

    init(body: [VariableBinding] = [], header: VariableBinding? = nil, button: VariableBinding? = nil) {
        self.body = body
        self.header = header
        self.button = button
    }

    /// A request without `body` means a template without body variables, not a malformed request.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        body = try container.decodeIfPresent([VariableBinding].self, forKey: .body) ?? []
        header = try container.decodeIfPresent(VariableBinding.self, forKey: .header)
        button = try container.decodeIfPresent(VariableBinding.self, forKey: .button)
    }

    /// CA-34: the mapping step is shown only when the template has placeholders; otherwise the flow goes straight
    /// to contact upload and `VariableMapping.empty` is used.
    static func isNeeded(bodyCount: Int, headerCount: Int, buttonCount: Int) -> Bool {
        bodyCount + headerCount + buttonCount > 0
    }
}

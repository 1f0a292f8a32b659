import Contracts

extension VariableMapping {
    /// CA-35: fills each variable for `recipient`: the column's value, or the fallback when that cell is blank.
    func resolve(for recipient: AudienceRecipient) -> ResolvedValues {
        var blank: [String] = []
        func value(_ binding: VariableBinding, field: String) -> String {
            if let text = binding.givenText { return text }
            let cell = binding.givenColumn.map { Self.cell($0, of: recipient) } ?? ""
            guard cell.isEmpty else { return cell }
            if let fallback = binding.givenFallback { return fallback }
            blank.append(field)
            return ""
        }
        let body = self.body.enumerated().map { value($1, field: "body[\($0)]") }
        let header = self.header.map { value($0, field: "header") }
        let button = self.button.map { value($0, field: "button") }
        return ResolvedValues(body: body, header: header, button: button, blankWithoutFallback: blank)
    }

    private static func cell(_ column: String, of recipient: AudienceRecipient) -> String {
        let name = AudienceHeader.normalize(column)
        if name == AudienceHeader.nameColumn { return AudienceHeader.trim(recipient.name) }
        if AudienceHeader.phoneAliases.contains(name) { return recipient.phone.e164 }
        return AudienceHeader.trim(recipient.values[name] ?? "")
    }
}

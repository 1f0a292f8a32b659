extension VariableMapping {
    /// CA-34: checks the mapping against the template's variable counts and the audience's columns (the variable
    /// columns of `AudienceImportResult.columns`; `name` and `phonenumber` are always available). Empty when valid.
    func violations(bodyCount: Int, headerCount: Int, buttonCount: Int, columns: [String]) -> [MappingViolation] {
        let available = Set(columns.map(AudienceHeader.normalize)).union(AudienceHeader.phoneAliases).union([AudienceHeader.nameColumn])
        var violations: [MappingViolation] = []
        if body.count != bodyCount {
            violations.append(MappingViolation(
                code: .countMismatch, field: "body",
                message: "the template has \(bodyCount) body variables but \(body.count) bindings were given"))
        }
        for (index, binding) in body.enumerated() {
            violations += Self.check(binding, field: "body[\(index)]", slot: "body {{\(index + 1)}}", available: available)
        }
        violations += Self.checkSlot(header, count: headerCount, field: "header", missing: .headerMissing, available: available)
        violations += Self.checkSlot(button, count: buttonCount, field: "button", missing: .buttonMissing, available: available)
        return violations
    }

    private static func checkSlot(
        _ binding: VariableBinding?, count: Int, field: String, missing: MappingViolation.Code, available: Set<String>
    ) -> [MappingViolation] {
        switch (binding, count > 0) {
        case (nil, true):
            return [MappingViolation(code: missing, field: field, message: "the template's \(field) variable {{1}} needs a binding")]
        case (.some, false):
            return [MappingViolation(code: .unexpected, field: field, message: "the template's \(field) has no variable")]
        case (.some(let binding), true):
            return check(binding, field: field, slot: "\(field) {{1}}", available: available)
        case (nil, false):
            return []
        }
    }

    private static func check(_ binding: VariableBinding, field: String, slot: String, available: Set<String>) -> [MappingViolation] {
        switch (binding.givenColumn, binding.givenText) {
        case (let column?, nil):
            guard available.contains(AudienceHeader.normalize(column)) else {
                return [MappingViolation(code: .unknownColumn, field: field, message: "\(slot): the audience has no column \"\(column)\"")]
            }
            return []
        case (nil, .some):
            return []
        default:
            return [MappingViolation(code: .invalidBinding, field: field, message: "\(slot): give either a column or a fixed text")]
        }
    }
}

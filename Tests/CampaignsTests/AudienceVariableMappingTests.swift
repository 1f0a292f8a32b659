@testable import Campaigns
import Contracts
import Foundation
import Testing

@Suite("Variable mapping and fallbacks (CA-34, CA-35)")
struct AudienceVariableMappingTests {
    let columns = ["amount", "date", "city"]

    func recipient(name: String = "Asha", values: [String: String]) throws -> AudienceRecipient {
        AudienceRecipient(row: 2, phone: try #require(PhoneNumber(e164: "+919876543210")), name: name, values: values)
    }

    @Test("CA-34: the mapping step is needed only when the template has placeholders")
    func mappingNeeded() {
        #expect(!VariableMapping.isNeeded(bodyCount: 0, headerCount: 0, buttonCount: 0))
        #expect(VariableMapping.isNeeded(bodyCount: 0, headerCount: 0, buttonCount: 1))
        #expect(VariableMapping.isNeeded(bodyCount: 2, headerCount: 0, buttonCount: 0))
        #expect(VariableMapping.empty.violations(bodyCount: 0, headerCount: 0, buttonCount: 0, columns: []).isEmpty)
    }

    @Test("CA-34: a complete mapping of columns, name, phone and fixed text has no violations")
    func validMapping() {
        let mapping = VariableMapping(
            body: [.column("name", fallback: "Customer"), .column(" Amount "), .text("Diwali sale"), .column("PhoneNumber")],
            header: .column("city", fallback: "your city"),
            button: .column("date"))
        #expect(mapping.violations(bodyCount: 4, headerCount: 1, buttonCount: 1, columns: columns).isEmpty)
    }

    @Test("CA-34: body bindings must match the template's body variable count")
    func countMismatch() {
        let mapping = VariableMapping(body: [.column("name")])
        let violations = mapping.violations(bodyCount: 2, headerCount: 0, buttonCount: 0, columns: columns)
        #expect(violations.map(\.code) == [.countMismatch])
        #expect(violations.first?.field == "body")
        #expect(violations.first?.code.rawValue == "mapping.count_mismatch")
    }

    @Test("CA-34: a column the audience does not have is mapping.column.unknown")
    func unknownColumn() {
        let mapping = VariableMapping(body: [.column("name"), .column("balance")])
        let violations = mapping.violations(bodyCount: 2, headerCount: 0, buttonCount: 0, columns: columns)
        #expect(violations == [
            MappingViolation(code: .unknownColumn, field: "body[1]", message: "body {{2}}: the audience has no column \"balance\"")
        ])
    }

    @Test("CA-34: a binding needs exactly one of column and text (blank counts as absent)")
    func invalidBinding() {
        let mapping = VariableMapping(body: [
            VariableBinding(), VariableBinding(column: "name", text: "Hi"), VariableBinding(column: " ", fallback: "x"), .text("ok"),
            VariableBinding(column: "", text: "fixed"),
        ])
        let violations = mapping.violations(bodyCount: 5, headerCount: 0, buttonCount: 0, columns: columns)
        #expect(violations.map(\.code) == [.invalidBinding, .invalidBinding, .invalidBinding])
        #expect(violations.map(\.field) == ["body[0]", "body[1]", "body[2]"])
        #expect(violations.first?.code.rawValue == "mapping.binding.invalid")
    }

    @Test("CA-34: header and button variables need a binding; bindings for slots the template lacks are refused")
    func headerAndButton() {
        let missing = VariableMapping().violations(bodyCount: 0, headerCount: 1, buttonCount: 1, columns: columns)
        #expect(missing.map(\.code) == [.headerMissing, .buttonMissing])
        #expect(missing.map(\.code.rawValue) == ["mapping.header.missing", "mapping.button.missing"])
        let extra = VariableMapping(header: .text("Hello"), button: .column("city"))
            .violations(bodyCount: 0, headerCount: 0, buttonCount: 0, columns: columns)
        #expect(extra.map(\.code) == [.unexpected, .unexpected])
        #expect(extra.map(\.field) == ["header", "button"])
        #expect(extra.first?.code.rawValue == "mapping.unexpected")
        let badHeader = VariableMapping(header: .column("nope")).violations(bodyCount: 0, headerCount: 1, buttonCount: 0, columns: columns)
        #expect(badHeader.map(\.code) == [.unknownColumn])
    }

    @Test("CA-35, CA-31: a blank cell takes the binding's fallback; without one it stays blank and is reported")
    func fallbacks() throws {
        let mapping = VariableMapping(
            body: [.column("name", fallback: "Customer"), .column("amount", fallback: "0"), .column("date"), .text("Diwali")],
            header: .column("city", fallback: "your city"),
            button: .column("amount"))
        let blank = try recipient(name: " ", values: ["amount": "", "date": "", "city": ""])
        #expect(mapping.resolve(for: blank) == ResolvedValues(
            body: ["Customer", "0", "", "Diwali"], header: "your city", button: "", blankWithoutFallback: ["body[2]", "button"]))
        let full = try recipient(values: ["amount": "1500", "date": "2026-12-01", "city": "Pune"])
        #expect(mapping.resolve(for: full) == ResolvedValues(
            body: ["Asha", "1500", "2026-12-01", "Diwali"], header: "Pune", button: "1500", blankWithoutFallback: []))
    }

    @Test("CA-35: name and phonenumber come from the recipient; column names match case-insensitively")
    func builtInColumns() throws {
        let mapping = VariableMapping(body: [.column("Name"), .column("phone number"), .column("AMOUNT"), .column("missing", fallback: "n/a")])
        let values = mapping.resolve(for: try recipient(values: ["amount": "99"]))
        #expect(values.body == ["Asha", "+919876543210", "99", "n/a"])
        #expect(values.header == nil && values.button == nil)
    }

    @Test("CA-35: the mapping reads and writes snake_case JSON; a missing body means no body variables")
    func json() throws {
        let json = #"{"body":[{"column":"name","fallback":"Customer"},{"text":"Diwali"}],"button":{"column":"amount"}}"#
        let mapping = try JSONDecoder().decode(VariableMapping.self, from: Data(json.utf8))
        #expect(mapping == VariableMapping(body: [.column("name", fallback: "Customer"), .text("Diwali")], button: .column("amount")))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let encoded = String(decoding: try encoder.encode(mapping), as: UTF8.self)
        #expect(encoded == #"{"body":[{"column":"name","fallback":"Customer"},{"text":"Diwali"}],"button":{"column":"amount"}}"#)
        #expect(try JSONDecoder().decode(VariableMapping.self, from: Data("{}".utf8)) == .empty)
    }
}

import Contracts
import ServiceKit
import Testing

@Suite("Text rules")
struct TextRulesTests {
    @Test("D-13: phone fields take E.164 or the usual Indian forms, and a +91 number needs its ten national digits")
    func D_13_phone_fields() throws {
        #expect(try TextRules.phone("+14155550100", field: "to").e164 == "+14155550100")
        #expect(try TextRules.phone("+911123456789", field: "to").e164 == "+911123456789")
        #expect(try TextRules.phone("+9118001234567", field: "to").e164 == "+9118001234567", "a toll-free number")
        #expect(try TextRules.phone("098765 43210", field: "to").e164 == "+919876543210")
        for bad in ["+9198765432100", "+91987654321", "+9109876543210", "12345", ""] {
            let error = try #require(throws: APIError.self, "\(bad)") { try TextRules.phone(bad, field: "to") }
            #expect(error.code == "phone.invalid")
            #expect(error.field == "to")
        }
    }
}

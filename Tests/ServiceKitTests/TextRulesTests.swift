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

    @Test("a name is 1 to max characters; a character piled with thousands of combining marks is too long, Indic scripts and emoji are not")
    func lengths() throws {
        #expect(try TextRules.trimmed("  Priya Sharma ", field: "name", max: 100, code: "user.name.invalid") == "Priya Sharma")
        // Full-length texts of dense characters: Devanagari and Malayalam conjuncts with a vowel sign (12 bytes each),
        // flags and skin tones (8), and a Hindi name of conjuncts only as long as a name gets.
        for fine in [
            String(repeating: "क्षि", count: 100), String(repeating: "ക്ഷേ", count: 100), String(repeating: "🇮🇳", count: 100),
            String(repeating: "👍🏽", count: 100), String(repeating: "श्री स्त्री ", count: 20),
        ] {
            #expect(!TextRules.isTooLong(fine, max: 100), "\(fine.prefix(4))")
        }
        // One character, 3,000 marks: about 6 KB that PostgreSQL cannot put in the name's index (a 500 before).
        let piled = "A" + String(repeating: "\u{0301}\u{0302}\u{0303}", count: 1_000)
        #expect(piled.count == 1)
        #expect(TextRules.isTooLong(piled, max: 100))
        let error = try #require(throws: APIError.self) { try TextRules.trimmed(piled, field: "name", max: 100, code: "user.name.invalid") }
        #expect(error.code == "user.name.invalid")
        #expect(error.field == "name")
        #expect(TextRules.isTooLong(String(repeating: "a", count: 101), max: 100))
        // An indexed field longer than 125 characters passes the index's budget itself.
        #expect(!TextRules.isTooLong(String(repeating: "a", count: 200), max: 200, maxBytes: TextRules.indexedBytes))
        #expect(TextRules.isTooLong(String(repeating: "ക്ഷേ", count: 200), max: 200, maxBytes: TextRules.indexedBytes))
    }
}

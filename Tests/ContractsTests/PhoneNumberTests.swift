import Contracts
import Testing

@Suite("PhoneNumber")
struct PhoneNumberTests {
    @Test(
        "D-13: every accepted Indian form normalises to +91",
        arguments: [
            ("9876543210", "+919876543210"),
            ("919876543210", "+919876543210"),
            ("+919876543210", "+919876543210"),
            ("09876543210", "+919876543210"),
            ("+91 98765 43210", "+919876543210"),
            ("098765-43210", "+919876543210"),
            ("(+91) 98765.43210", "+919876543210"),
            ("  6123456789 ", "+916123456789"),
            ("7012345678", "+917012345678"),
            ("8012345678", "+918012345678"),
        ])
    func acceptsIndianForms(input: String, expected: String) throws {
        let number = try PhoneNumber.indian(input).get()
        #expect(number.e164 == expected)
        #expect(number.isIndian)
    }

    @Test(
        "D-13: malformed numbers are invalid_format",
        arguments: [
            "987654321",  // 9 digits
            "98765432101",  // 11 digits without 0 prefix
            "5876543210",  // subscriber starts with 5
            "0123456789",  // 10 digits starting with 0
            "+91987654321",  // +91 with 9 digits
            "91987654321",  // 91 with 9 digits
            "98765abc10",
            "+9198765432100",
            "++919876543210",
            "9876543210+",
        ])
    func rejectsMalformed(input: String) {
        #expect(PhoneNumber.indian(input) == .failure(.invalidFormat))
    }

    @Test("D-13: a number of another country is non_indian", arguments: ["+14155550100", "+44 20 7946 0958", "+971501234567"])
    func rejectsForeign(input: String) {
        #expect(PhoneNumber.indian(input) == .failure(.nonIndian))
    }

    @Test("D-13: blank cells are blank", arguments: ["", "   ", "\t"])
    func rejectsBlank(input: String) {
        #expect(PhoneNumber.indian(input) == .failure(.blank))
    }

    @Test("D-13: skip reason codes are the documented strings")
    func reasonCodes() {
        #expect(PhoneNumber.IndianNumberError.allCases.map(\.rawValue).sorted() == ["blank", "invalid_format", "non_indian"])
    }

    @Test("E.164 accepts 8–15 digits after + and nothing else")
    func e164() {
        #expect(PhoneNumber(e164: "+14155550100")?.e164 == "+14155550100")
        #expect(PhoneNumber(e164: "+12345678") != nil)
        #expect(PhoneNumber(e164: "+1234567") == nil)
        #expect(PhoneNumber(e164: "+1234567890123456") == nil)
        #expect(PhoneNumber(e164: "14155550100") == nil)
        #expect(PhoneNumber(e164: "+04155550100") == nil)
        #expect(PhoneNumber(e164: "+1415555010a") == nil)
        #expect(PhoneNumber(e164: "+14155550100")?.isIndian == false)
    }

    @Test("D-13, CA-33: an Indian mobile is +91 and ten digits starting 6–9; other +91 numbers are Indian but not mobiles")
    func D_13_indian_mobile() {
        #expect(PhoneNumber(e164: "+919876543210")?.isIndianMobile == true)
        #expect(PhoneNumber(e164: "+916000000000")?.isIndianMobile == true)
        #expect(PhoneNumber(e164: "+918044556677")?.isIndianMobile == true, "8 starts mobiles and Bengaluru landlines alike")
        #expect(PhoneNumber(e164: "+915876543210")?.isIndianMobile == false)
        #expect(PhoneNumber(e164: "+911123456789")?.isIndianMobile == false)
        #expect(PhoneNumber(e164: "+9198765432100")?.isIndianMobile == false)
        #expect(PhoneNumber(e164: "+91987654321")?.isIndianMobile == false)
        #expect(PhoneNumber(e164: "+14155550100")?.isIndianMobile == false)
        #expect(PhoneNumber(e164: "+911123456789")?.hasValidIndianLength == true, "a Delhi landline")
        #expect(PhoneNumber(e164: "+9198765432100")?.hasValidIndianLength == false)
        #expect(PhoneNumber(e164: "+91987654321")?.hasValidIndianLength == false)
        #expect(PhoneNumber(e164: "+14155550100")?.hasValidIndianLength == true)
        #expect(PhoneNumber(e164: "+9118001234567")?.hasValidIndianLength == true, "toll-free")
        #expect(PhoneNumber(e164: "+9118601234567")?.hasValidIndianLength == true, "shared cost")
        #expect(PhoneNumber(e164: "+9118001234567")?.isIndianMobile == false)
        #expect(PhoneNumber(e164: "+9112341234567")?.hasValidIndianLength == false)
    }

    @Test("encodes as the E.164 string and rejects anything else when decoding")
    func codable() throws {
        let number = try PhoneNumber.indian("9876543210").get()
        let data = try JSONCoding.encoder().encode([number])
        #expect(String(decoding: data, as: UTF8.self) == #"["+919876543210"]"#)
        #expect(try JSONCoding.decoder().decode([PhoneNumber].self, from: data) == [number])
        #expect(throws: DecodingError.self) { try JSONCoding.decoder().decode([PhoneNumber].self, from: Data(#"["9876543210"]"#.utf8)) }
    }
}

import Foundation

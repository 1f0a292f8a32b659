import Contracts
import Foundation
import Testing

@Suite("Money")
struct MoneyTests {
    @Test("arithmetic stays in integer paise")
    func arithmetic() {
        let price = Money(paise: 1_050)
        #expect(price + Money.rupees(2) == Money(paise: 1_250))
        #expect(price - Money.rupees(20) == Money(paise: -950))
        #expect(price * 3 == Money(paise: 3_150))
        #expect(-price == Money(paise: -1_050))
        #expect(Money.zero < price)
        #expect(Money(paise: -1).isNegative)
    }

    @Test(
        "parses rupee amounts with at most two decimals",
        arguments: [("1500", 150_000), ("0.05", 5), ("-10", -1_000), ("-10.5", -1_050), ("12.34", 1_234), ("+3.1", 310), (" 7 ", 700)])
    func parses(text: String, paise: Int64) {
        #expect(Money(rupeeString: text) == Money(paise: paise))
    }

    @Test("refuses what is not an exact rupee amount", arguments: ["", "1.234", "1e3", "abc", "1.", ".5", "--1", "1,000", "12.3.4"])
    func refuses(text: String) {
        #expect(Money(rupeeString: text) == nil)
    }

    @Test("renders as rupees with two decimals")
    func renders() {
        #expect(Money(paise: 123_456).rupeeString == "1234.56")
        #expect(Money(paise: -5).rupeeString == "-0.05")
        #expect(Money(paise: 100).description == "₹1.00")
    }

    @Test("proration rounds half away from zero")
    func proration() {
        #expect(Money(paise: 10_000).multiplied(by: 1, dividedBy: 3) == Money(paise: 3_333))
        #expect(Money(paise: 10_000).multiplied(by: 2, dividedBy: 3) == Money(paise: 6_667))
        #expect(Money(paise: 5).multiplied(by: 1, dividedBy: 2) == Money(paise: 3))
        #expect(Money(paise: -5).multiplied(by: 1, dividedBy: 2) == Money(paise: -3))
        #expect(Money(paise: 3_000).multiplied(by: 17, dividedBy: 30) == Money(paise: 1_700))
    }

    @Test("encodes as bare paise")
    func codable() throws {
        let data = try JSONCoding.encoder().encode(["amount": Money(paise: -1_050)])
        #expect(String(decoding: data, as: UTF8.self) == #"{"amount":-1050}"#)
        #expect(try JSONCoding.decoder().decode([String: Money].self, from: data)["amount"] == Money(paise: -1_050))
    }
}

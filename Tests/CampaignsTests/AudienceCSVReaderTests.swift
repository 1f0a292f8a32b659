@testable import Campaigns
import Contracts
import Foundation
import Testing

@Suite("Audience CSV reading (CA-27)")
struct AudienceCSVReaderTests {
    @Test("CA-27: RFC 4180 quoted fields keep commas, escaped quotes and embedded line breaks")
    func quotedFields() throws {
        let text = "name,note\r\n\"Rao, A\",\"said \"\"hi\"\"\"\r\nB,\"two\r\nlines\"\r\n\"\",x\r\n"
        #expect(try CSVReader().rows(from: text) == [["name", "note"], ["Rao, A", "said \"hi\""], ["B", "two\r\nlines"], ["", "x"]])
    }

    @Test("CA-27: CRLF, LF and CR line ends all separate records; a last line without a break still counts")
    func lineEnds() throws {
        #expect(try CSVReader().rows(from: "a,b\r\nc,d\re,f\ng,h") == [["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]])
    }

    @Test("CA-27: blank lines are rows (so row numbers match the spreadsheet); the final line break adds none")
    func blankLines() throws {
        #expect(try CSVReader().rows(from: "a\n\nb\n") == [["a"], [""], ["b"]])
        #expect(try CSVReader().rows(from: "") == [])
    }

    @Test("CA-27: a quote that is never closed is audience.file.unterminated_quote with the row it opened in")
    func unterminatedQuote() {
        let error = #expect(throws: AudienceError.unterminatedQuote(row: 2)) {
            try CSVReader().rows(from: "name,phonenumber\n\"Asha,9876543210\nRavi,9812345678\n")
        }
        #expect(error?.code == "audience.file.unterminated_quote")
        #expect(throws: AudienceError.unterminatedQuote(row: 2)) {
            try AudienceImport.result(from: Data("name,phonenumber\nAsha,\"98765".utf8), filename: "a.csv")
        }
    }

    @Test("CA-27: a quote inside an unquoted field is literal, and text after a closing quote is kept")
    func lenientQuotes() throws {
        #expect(try CSVReader().rows(from: "5\" screen,\"ab\"c\n") == [["5\" screen", "abc"]])
    }

    @Test("CA-27: a header line with semicolons and no comma switches the separator to ;")
    func semicolons() throws {
        let text = "name;phonenumber;amount\nAsha;9876543210;\"1,5\"\n"
        #expect(CSVReader.separator(for: text) == ";")
        #expect(try CSVReader().rows(from: text) == [["name", "phonenumber", "amount"], ["Asha", "9876543210", "1,5"]])
        let result = try AudienceImport.result(from: Data(text.utf8), filename: "a.csv")
        #expect(result.recipients.first?.values == ["amount": "1,5"])
    }

    @Test("CA-27: a comma in the header keeps , even when later lines have semicolons")
    func commaWins() throws {
        #expect(try CSVReader().rows(from: "name,phone\nA;B,1\n") == [["name", "phone"], ["A;B", "1"]])
    }

    @Test("D-13: a UTF-8 byte-order mark is not part of the first header")
    func byteOrderMark() throws {
        let data = Data([0xEF, 0xBB, 0xBF] + Array("name,phonenumber\nAsha,9876543210\n".utf8))
        #expect(try CSVReader().rows(from: data).first == ["name", "phonenumber"])
        #expect(try AudienceImport.result(from: data, filename: "a.csv").recipients.count == 1)
        #expect(try CSVReader().rows(from: "\u{FEFF}name,x").first == ["name", "x"])
    }

    @Test("CA-27: bytes that are not UTF-8 are read as Windows-1252/Latin-1")
    func latin1() throws {
        let data = Data(Array("name,phonenumber,note\nJos".utf8) + [0xE9] + Array(",9876543210,".utf8) + [0x80, 0x35, 0x0A])
        let result = try AudienceImport.result(from: data, filename: "latin1.csv")
        #expect(result.recipients.first?.name == "José")
        #expect(result.recipients.first?.values == ["note": "€5"])
    }

    @Test("CA-27: UTF-16 with a byte-order mark (Excel's Unicode text, tab-separated) is read")
    func utf16() throws {
        let text = "name\tphonenumber\nअनु\t9876543210\n"
        let little = Data([0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        #expect(try CSVReader().rows(from: little) == [["name", "phonenumber"], ["अनु", "9876543210"]])
        let big = Data([0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        #expect(try CSVReader().rows(from: big) == [["name", "phonenumber"], ["अनु", "9876543210"]])
    }

    @Test("CA-27: row, column and cell limits stop files that explode into millions of fields")
    func limits() {
        #expect(throws: AudienceError.tooManyRows(limit: 2)) { try CSVReader(maxRows: 2).rows(from: "a\nb\nc\n") }
        #expect(throws: AudienceError.tooManyColumns(limit: 3)) { try CSVReader(maxColumns: 3).rows(from: "a,b,c,d\n") }
        #expect(throws: AudienceError.tooManyCells(limit: 5)) { try CSVReader(maxCells: 5).rows(from: "a,b,c\nd,e,f\n") }
        #expect(throws: AudienceError.tooManyRows(limit: AudienceFile.maxRows)) {
            try CSVReader().rows(from: Data(repeating: 0x0A, count: AudienceFile.maxRows + 1))
        }
    }

    @Test("CA-27: 10 MB of random bytes named .csv give a typed error, never a crash")
    func garbage() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var bytes = Data(count: AudienceFile.maxBytes)
        bytes.withUnsafeMutableBytes { buffer in
            for offset in stride(from: 0, to: buffer.count, by: 8) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                buffer.storeBytes(of: state, toByteOffset: offset, as: UInt64.self)
            }
        }
        #expect(throws: AudienceError.self) { try AudienceImport.result(from: bytes, filename: "garbage.csv") }
        #expect(throws: AudienceError.self) { try AudienceImport.result(from: bytes, filename: "garbage.xlsx") }
    }
}

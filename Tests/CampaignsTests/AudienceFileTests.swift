@testable import Campaigns
import Contracts
import Foundation
import Testing

@Suite("Audience file and sample (CA-27, CA-30)")
struct AudienceFileTests {
    @Test("CA-27: the extension picks CSV or XLSX; without one, the zip signature does")
    func formatDetection() throws {
        let zip = try SampleFile.xlsx()
        let text = Data("name,phonenumber\n".utf8)
        #expect(try AudienceFile.format(of: text, filename: "Audience.CSV") == .csv)
        #expect(try AudienceFile.format(of: zip, filename: "uploads/list.xlsx") == .xlsx)
        #expect(try AudienceFile.format(of: text, filename: nil) == .csv)
        #expect(try AudienceFile.format(of: zip, filename: nil) == .xlsx)
        #expect(try AudienceFile.format(of: zip, filename: "renamed.csv") == .xlsx)
        #expect(try AudienceFile.format(of: text, filename: "noextension") == .csv)
    }

    @Test("CA-27: .xls, .pdf and other formats are audience.file.unsupported, by extension or by content")
    func unsupported() {
        for name in ["old.xls", "scan.pdf", "list.numbers", "a.docx"] {
            let error = #expect(throws: AudienceError.self) { try AudienceFile.rows(from: Data("x".utf8), filename: name) }
            #expect(error?.code == "audience.file.unsupported", "\(name)")
        }
        let ole = Data([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
        #expect(throws: AudienceError.unsupportedFile("xls")) { try AudienceFile.rows(from: ole, filename: nil) }
        #expect(throws: AudienceError.unsupportedFile("csv")) { try AudienceFile.rows(from: ole, filename: "renamed.csv") }
        #expect(throws: AudienceError.unsupportedFile("pdf")) { try AudienceFile.rows(from: Data("%PDF-1.7".utf8), filename: nil) }
    }

    @Test("CA-27: a file over 10 MB is audience.file.too_large before anything is parsed")
    func tooLarge() {
        let data = Data(count: AudienceFile.maxBytes + 1)
        let error = #expect(throws: AudienceError.fileTooLarge(bytes: AudienceFile.maxBytes + 1, limit: AudienceFile.maxBytes)) {
            try AudienceFile.rows(from: data, filename: "big.csv")
        }
        #expect(error?.code == "audience.file.too_large")
    }

    @Test("CA-30: the CSV sample has the headers name, phonenumber, amount, date and reads back")
    func sampleCSV() throws {
        #expect(SampleFile.csv.hasPrefix("name,phonenumber,amount,date\r\nAsha,919876543210,1500,2026-12-01\r\n"))
        let rows = try AudienceFile.rows(from: Data(SampleFile.csv.utf8), filename: SampleFile.csvFilename)
        #expect(rows == [SampleFile.headers] + SampleFile.rows)
        try Self.expectSampleImports(rows)
    }

    @Test("CA-30: the XLSX sample is a real workbook that the XLSX reader reads back")
    func sampleXLSX() throws {
        let data = try SampleFile.xlsx()
        #expect(data.starts(with: AudienceFile.zipMagic))
        #expect(try SampleFile.xlsx() == data)
        let rows = try AudienceFile.rows(from: data, filename: SampleFile.xlsxFilename)
        #expect(rows == [SampleFile.headers] + SampleFile.rows)
        try Self.expectSampleImports(rows)
    }

    @Test("CA-30: the XLSX sample carries the OOXML parts Excel needs")
    func sampleParts() throws {
        let data = try SampleFile.xlsx()
        let package = try XLSXPackage(data: data)
        for part in ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"] {
            #expect(package.contains(part), "\(part)")
        }
        let sheet = String(decoding: try #require(try package.read("xl/worksheets/sheet1.xml")), as: UTF8.self)
        #expect(sheet.contains(#"<c r="B2" t="inlineStr"><is><t xml:space="preserve">919876543210</t></is></c>"#))
    }

    private static func expectSampleImports(_ rows: [[String]]) throws {
        let result = try AudienceImport.result(from: rows)
        #expect(result.columns == ["amount", "date"])
        #expect(result.recipients.map(\.phone.e164) == ["+919876543210", "+919812345678"])
        #expect(result.recipients.first?.values == ["amount": "1500", "date": "2026-12-01"])
        #expect(result.skipped.isEmpty)
    }
}

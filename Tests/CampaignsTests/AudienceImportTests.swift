@testable import Campaigns
import Contracts
import Foundation
import Testing

/// The acceptance audience of D-13: every skip reason, every accepted phone spelling, padded mixed-case headers and
/// quoted fields. The same rows are built as CSV and as XLSX and must import identically.
enum AudienceAcceptance {
    static let csv =
        " Name ,PhoneNumber,Amount\r\n"
        + "Asha,919876543210,1500\r\n"
        + "Ravi,+91 98123 45678,\"2,750\"\r\n"
        + "Asha again,919876543210,99\r\n"
        + ",,\r\n"
        + "John,+1 415 555 0100,10\r\n"
        + "Short,987654321,5\r\n"
        + "Meera,09811122233,\"Line one\nLine two\"\r\n"
        + "NoPhone,,300\r\n"
        + "Dash,98-765-43211,42\r\n"
        + "Plus,+919876543210,7\r\n"
        + "Spaced,  91 99887 76655  ,8\r\n"
        + "Zero,0 98765 43210,9\r\n"
        + "Ten,7012345678,11\r\n"
        + "\r\n"
        + "Bad,98765abcde,1\r\n"
        + "Five,5987654321,2\r\n"
        + ",,\r\n"
        + "\r\n"

    /// The same sheet as Excel would store it: shared strings for names, inline strings elsewhere, numbers as numbers
    /// (row 2's phone as `9.19876543210E11`), blank rows as rows without cells.
    static func xlsx() throws -> Data {
        typealias Cell = XLSXWriter.Cell
        let rows: [[Cell]] = [
            [.shared(" Name "), .shared("PhoneNumber"), .inline("Amount")],
            [.shared("Asha"), .number("9.19876543210E11"), .number("1500")],
            [.shared("Ravi"), .inline("+91 98123 45678"), .inline("2,750")],
            [.shared("Asha again"), .shared("919876543210"), .number("99")],
            [.absent, .absent, .absent],
            [.shared("John"), .inline("+1 415 555 0100"), .number("10")],
            [.shared("Short"), .number("987654321"), .number("5")],
            [.shared("Meera"), .inline("09811122233"), .shared("Line one\nLine two")],
            [.shared("NoPhone"), .absent, .number("300")],
            [.shared("Dash"), .shared("98-765-43211"), .number("42")],
            [.shared("Plus"), .inline("+919876543210"), .number("7")],
            [.shared("Spaced"), .inline("  91 99887 76655  "), .number("8")],
            [.shared("Zero"), .shared("0 98765 43210"), .number("9")],
            [.shared("Ten"), .number("7012345678"), .number("11")],
            [],
            [.shared("Bad"), .inline("98765abcde"), .number("1")],
            [.shared("Five"), .number("5987654321"), .number("2")],
            [.absent, .absent, .absent],
            [],
        ]
        return try XLSXWriter(rows: rows).data()
    }

    static func expected() throws -> AudienceImportResult {
        func recipient(_ row: Int, _ e164: String, _ name: String, _ amount: String) throws -> AudienceRecipient {
            AudienceRecipient(row: row, phone: try #require(PhoneNumber(e164: e164)), name: name, values: ["amount": amount])
        }
        return AudienceImportResult(
            columns: ["amount"],
            recipients: [
                try recipient(2, "+919876543210", "Asha", "1500"),
                try recipient(3, "+919812345678", "Ravi", "2,750"),
                try recipient(8, "+919811122233", "Meera", "Line one\nLine two"),
                try recipient(10, "+919876543211", "Dash", "42"),
                try recipient(12, "+919988776655", "Spaced", "8"),
                try recipient(14, "+917012345678", "Ten", "11"),
            ],
            skipped: [
                SkippedRow(row: 4, reason: .duplicate, value: "919876543210"),
                SkippedRow(row: 5, reason: .blank, value: ""),
                SkippedRow(row: 6, reason: .nonIndian, value: "+1 415 555 0100"),
                SkippedRow(row: 7, reason: .invalidFormat, value: "987654321"),
                SkippedRow(row: 9, reason: .blank, value: ""),
                SkippedRow(row: 11, reason: .duplicate, value: "+919876543210"),
                SkippedRow(row: 13, reason: .duplicate, value: "0 98765 43210"),
                SkippedRow(row: 15, reason: .blank, value: ""),
                SkippedRow(row: 16, reason: .invalidFormat, value: "98765abcde"),
                SkippedRow(row: 17, reason: .invalidFormat, value: "5987654321"),
            ],
            totalRows: 16)
    }

    static let skipReport =
        "row,reason,value\r\n"
        + "4,duplicate,919876543210\r\n"
        + "5,blank,\r\n"
        + "6,non_indian,+1 415 555 0100\r\n"
        + "7,invalid_format,987654321\r\n"
        + "9,blank,\r\n"
        + "11,duplicate,+919876543210\r\n"
        + "13,duplicate,0 98765 43210\r\n"
        + "15,blank,\r\n"
        + "16,invalid_format,98765abcde\r\n"
        + "17,invalid_format,5987654321\r\n"
}

@Suite("Audience import (D-13, CA-27…CA-33)")
struct AudienceImportTests {
    @Test("D-13: the acceptance CSV imports the valid +91 numbers and reports every skipped row with its reason")
    func acceptanceCSV() throws {
        let result = try AudienceImport.result(from: Data(AudienceAcceptance.csv.utf8), filename: "audience.csv")
        #expect(result == (try AudienceAcceptance.expected()))
        #expect(result.skipReport == AudienceAcceptance.skipReport)
        #expect(result.skippedCounts == [.blank: 3, .invalidFormat: 3, .nonIndian: 1, .duplicate: 3])
        #expect(result.skippedCount(.duplicate) == 3)
    }

    @Test("D-13: the same rows as an XLSX (shared, inline and numeric cells) give exactly the same result")
    func acceptanceXLSX() throws {
        let result = try AudienceImport.result(from: AudienceAcceptance.xlsx(), filename: "audience.xlsx")
        #expect(result == (try AudienceAcceptance.expected()))
        #expect(result.skipReport == AudienceAcceptance.skipReport)
        let fromCSV = try AudienceImport.result(from: Data(AudienceAcceptance.csv.utf8), filename: "audience.csv")
        #expect(result == fromCSV)
    }

    @Test("CA-32: only the first occurrence of a number is kept, whatever spelling the later rows use")
    func duplicatesKeepFirst() throws {
        let rows = [["name", "phonenumber"], ["A", "9876543210"], ["B", "+91 98765 43210"], ["C", "09876543210"]]
        let result = try AudienceImport.result(from: rows)
        #expect(result.recipients.map(\.name) == ["A"])
        #expect(result.skipped.map(\.row) == [3, 4])
        #expect(result.skipped.allSatisfy { $0.reason == .duplicate })
    }

    @Test("D-13: `phone number` and `phone` are accepted for the phone column, in any case and padding")
    func phoneAliases() throws {
        for header in ["phone number", " Phone Number ", "phone", "PHONE", "phonenumber"] {
            let result = try AudienceImport.result(from: [["Name", header, "City"], ["Asha", "9876543210", "Pune"]])
            #expect(result.recipients.count == 1, "header \(header)")
            #expect(result.columns == ["city"])
            #expect(result.recipients.first?.values == ["city": "Pune"])
        }
    }

    @Test("CA-29: a missing phonenumber column fails the upload with audience.header.missing")
    func missingPhone() {
        #expect(throws: AudienceError.header([HeaderProblem(kind: .missing, column: "phonenumber", position: nil)])) {
            try AudienceImport.result(from: [["name", "amount"], ["Asha", "10"]])
        }
    }

    @Test("CA-29: special characters in a header fail the upload with audience.header.invalid and the column position")
    func invalidHeader() throws {
        let error = #expect(throws: AudienceError.self) {
            try AudienceImport.result(from: [["name", "phonenumber", "amount$"], ["Asha", "9876543210", "10"]])
        }
        #expect(error == .header([HeaderProblem(kind: .invalid, column: "amount$", position: 3)]))
        #expect(error?.code == "audience.header.invalid")
        #expect(error?.message.hasPrefix("Invalid header/format") == true)
    }

    @Test("CA-29: a duplicate header (after trimming and lowercasing, or two phone aliases) is audience.header.duplicate")
    func duplicateHeader() {
        #expect(throws: AudienceError.header([HeaderProblem(kind: .duplicate, column: "NAME", position: 3)])) {
            try AudienceImport.result(from: [["name", "phonenumber", " NAME "]])
        }
        #expect(throws: AudienceError.header([HeaderProblem(kind: .duplicate, column: "phone", position: 3)])) {
            try AudienceImport.result(from: [["name", "phonenumber", "phone"]])
        }
    }

    @Test("CA-29: every header problem is listed at once, in column order, missing columns last")
    func everyHeaderProblem() throws {
        let error = #expect(throws: AudienceError.self) {
            try AudienceImport.result(from: [["Name", "amount$", "name", "due-date", "city"]])
        }
        let problems: [HeaderProblem] = [
            HeaderProblem(kind: .invalid, column: "amount$", position: 2),
            HeaderProblem(kind: .duplicate, column: "name", position: 3),
            HeaderProblem(kind: .invalid, column: "due-date", position: 4),
            HeaderProblem(kind: .missing, column: "phonenumber", position: nil),
        ]
        #expect(error == .header(problems))
        let codes = ["audience.header.invalid", "audience.header.duplicate", "audience.header.invalid", "audience.header.missing"]
        #expect(problems.map(\.code) == codes)
    }

    @Test("CA-29: an empty file or an empty header row is a header error, not a crash")
    func emptyFile() {
        let missing = [
            HeaderProblem(kind: .missing, column: "name", position: nil),
            HeaderProblem(kind: .missing, column: "phonenumber", position: nil),
        ]
        #expect(throws: AudienceError.header(missing)) { try AudienceImport.result(from: []) }
        #expect(throws: AudienceError.header(missing)) { try AudienceImport.result(from: Data(), filename: "a.csv") }
    }

    @Test("CA-29: an unnamed column is ignored when empty (a trailing separator) and refused when it holds data")
    func unnamedColumn() throws {
        let result = try AudienceImport.result(from: [["name", "phonenumber", ""], ["Asha", "9876543210", " "]])
        #expect(result.columns == [])
        #expect(throws: AudienceError.header([HeaderProblem(kind: .invalid, column: "", position: 3)])) {
            try AudienceImport.result(from: [["name", "phonenumber", ""], ["Asha", "9876543210", "data"]])
        }
    }

    @Test("CA-29: letters of any script, digits, spaces and _ are allowed in variable headers")
    func allowedHeaders() throws {
        let result = try AudienceImport.result(from: [["name", "phonenumber", "due date", "order_id", "राशि", "Amount2"]])
        #expect(result.columns == ["due date", "order_id", "राशि", "amount2"])
        #expect(result.totalRows == 0)
    }

    @Test("D-13, CA-28: 5,000 valid rows are accepted; 5,001 fail with audience.too_large and the count")
    func defaultCap() throws {
        #expect(try AudienceImport.result(from: Self.audience(5_000)).recipients.count == 5_000)
        let error = #expect(throws: AudienceError.tooLarge(count: 5_001, limit: 5_000)) {
            try AudienceImport.result(from: Self.audience(5_001))
        }
        #expect(error?.code == "audience.too_large")
    }

    @Test("D-13: a file of thousands of columns costs its filled cells: blank values are left out, past the cap rows are only counted")
    func wideFiles() throws {
        let header = ["name", "phonenumber"] + (1...2_000).map { "c\($0)" }
        let sparse: [[String]] = (0..<3).map { ["Person \($0)", String(9_000_000_000 + $0)] }
        let filled: [String] = ["Asha", "9000000009", "x"] + Array(repeating: "", count: 1_998) + ["y"]
        let rows: [[String]] = [header] + sparse + [filled]
        let result = try AudienceImport.result(from: rows)
        #expect(result.columns.count == 2_000)
        #expect(result.recipients.prefix(3).allSatisfy { $0.values.isEmpty })
        #expect(result.recipients.last?.values == ["c1": "x", "c2000": "y"])
        #expect(throws: AudienceError.tooLarge(count: 5_003, limit: 5_000)) { try AudienceImport.result(from: Self.audience(5_003)) }
    }

    @Test("D-13: a cell longer than a spreadsheet cell (32,767 characters) refuses the upload, naming the row")
    func cellTooLong() throws {
        let fits = Data(("name,phonenumber,note\nAsha,9876543210," + String(repeating: "é", count: 32_767) + "\n").utf8)
        #expect(try AudienceImport.result(from: fits, filename: "a.csv").recipients.count == 1)
        let long = Data(("name,phonenumber,note\nAsha,9876543210,ok\nRavi,9812345678," + String(repeating: "x", count: 32_768) + "\n").utf8)
        let error = #expect(throws: AudienceError.cellTooLong(row: 3, limit: 32_767)) { try AudienceImport.result(from: long, filename: "a.csv") }
        #expect(error?.code == "audience.file.cell_too_long")
    }

    @Test("D-13: skipped rows do not count towards the 5,000 cap")
    func capCountsValidRowsOnly() throws {
        let rows = Self.audience(5_000) + Array(repeating: ["Dup", "9000000001"], count: 50) + [["Bad", "123"]]
        let result = try AudienceImport.result(from: rows)
        #expect(result.recipients.count == 5_000)
        #expect(result.skipped.count == 51)
        #expect(result.totalRows == 5_051)
    }

    @Test("CA-32: the skip report quotes commas and quotes and defuses formulas, but leaves phone-like values alone")
    func skipReportEscaping() {
        #expect(AudienceImportResult.csvField("a,b") == "\"a,b\"")
        #expect(AudienceImportResult.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(AudienceImportResult.csvField("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(AudienceImportResult.csvField("@cmd") == "'@cmd")
        #expect(AudienceImportResult.csvField("+1 415 555 0100") == "+1 415 555 0100")
        #expect(AudienceImportResult.csvField("-12") == "-12")
        #expect(AudienceImportResult.csvField("+cmd|x") == "'+cmd|x")
    }

    /// `count` unique valid rows with a variable column.
    static func audience(_ count: Int) -> [[String]] {
        [["name", "phonenumber", "amount"]] + (0..<count).map { ["Person \($0)", String(9_000_000_000 + $0), String($0)] }
    }
}

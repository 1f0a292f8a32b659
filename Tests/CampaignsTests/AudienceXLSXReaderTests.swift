@testable import Campaigns
import Contracts
import Foundation
import Testing

/// Builds workbooks part by part, and damages them the way hostile or broken uploads do.
enum XLSXFixture {
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let officeRelationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    static func zip(_ parts: [(String, String)]) throws -> Data {
        try XLSXWriter.zip(parts.map { ($0.0, Data($0.1.utf8)) })
    }

    /// A workbook whose only part is `xl/worksheets/sheet1.xml` holding `sheetData`.
    static func sheet(_ sheetData: String, sharedStrings: String? = nil) throws -> Data {
        var parts = [("xl/worksheets/sheet1.xml", #"<worksheet xmlns="\#(main)"><sheetData>\#(sheetData)</sheetData></worksheet>"#)]
        if let sharedStrings { parts.append(("xl/sharedStrings.xml", #"<sst xmlns="\#(main)">\#(sharedStrings)</sst>"#)) }
        return try zip(parts)
    }

    /// Offset of the first local header (`PK\3\4`) or central-directory record (`PK\1\2`) naming `path`.
    static func header(_ signature: UInt8, named path: String, in bytes: [UInt8]) throws -> Int {
        let name = Array(path.utf8)
        let nameOffset = signature == 0x03 ? 30 : 46
        let found = bytes.indices.first { offset in
            offset + nameOffset + name.count <= bytes.count && bytes[offset] == 0x50 && bytes[offset + 1] == 0x4B
                && bytes[offset + 2] == signature && bytes[offset + 3] == signature + 1
                && bytes[(offset + nameOffset)..<(offset + nameOffset + name.count)].elementsEqual(name)
        }
        return try #require(found)
    }

    static func writeLittleEndian32(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }
}

@Suite("Audience XLSX reading (CA-27)")
struct AudienceXLSXReaderTests {
    @Test("CA-27: an XML part that is not UTF-8 is corrupt, not a crash inside Foundation's XML parser")
    func notUTF8() throws {
        // libxml2 recovers from the bad byte and hands it on to FoundationXML, which force-unwraps the element's name:
        // the process died (checked before the guard).
        func part(_ before: String, _ after: String) -> Data { Data(before.utf8) + [0xFF] + Data(after.utf8) }
        let sheet = part(#"<worksheet xmlns="\#(XLSXFixture.main)"><sheetData><row r="1"><c"#, #" r="A1"/></row></sheetData></worksheet>"#)
        let strings = part(#"<sst xmlns="\#(XLSXFixture.main)"><si><t"#, #">x</t></si></sst>"#)
        let valid = Data(#"<worksheet xmlns="\#(XLSXFixture.main)"><sheetData/></worksheet>"#.utf8)
        for (path, parts) in [
            ("xl/worksheets/sheet1.xml", [("xl/worksheets/sheet1.xml", sheet)]),
            ("xl/sharedStrings.xml", [("xl/worksheets/sheet1.xml", valid), ("xl/sharedStrings.xml", strings)]),
        ] {
            let data = try XLSXWriter.zip(parts)
            #expect(throws: AudienceError.corrupt(path: path, reason: "not UTF-8 text")) { try XLSXReader().rows(from: data) }
        }
    }

    @Test("CA-27: cell references keep positions: skipped cells are \"\", missing rows are []")
    func positions() throws {
        let data = try XLSXFixture.sheet(
            #"<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="C1" t="inlineStr"><is><t>c</t></is></c></row>"#
                + #"<row r="3"><c r="B3" t="inlineStr"><is><t>b</t></is></c><c r="AA3"><v>7</v></c></row>"#
                + #"<row><c t="inlineStr"><is><t>x</t></is></c><c><v>8</v></c><c r="E4" t="inlineStr"><is><t></t></is></c></row>"#)
        let rows = try XLSXReader().rows(from: data)
        #expect(rows.count == 4)
        #expect(rows[0] == ["a", "", "c"])
        #expect(rows[1] == [])
        #expect(rows[2] == ["", "b"] + Array(repeating: "", count: 24) + ["7"])
        #expect(rows[3] == ["x", "8"])
    }

    @Test("CA-27: a number formatted as a date comes back as the date the user saw, 1900 or 1904 epoch; other numbers stay numbers")
    func dates() throws {
        let styles = ##"<styleSheet xmlns="\##(XLSXFixture.main)"><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="#,##0 &quot;days&quot;"/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>"##
        let sheet = #"<worksheet xmlns="\#(XLSXFixture.main)"><sheetData><row r="1"><c r="A1" s="1"><v>46356</v></c><c r="B1" s="2"><v>46356.75</v></c><c r="C1" s="3"><v>46356</v></c><c r="D1" s="0"><v>919876543210</v></c><c r="E1"><v>7</v></c></row></sheetData></worksheet>"#
        func workbook(date1904: Bool) throws -> Data {
            try XLSXFixture.zip([
                ("xl/workbook.xml", #"<workbook xmlns="\#(XLSXFixture.main)" xmlns:r="\#(XLSXFixture.officeRelationships)"><workbookPr date1904="\#(date1904 ? 1 : 0)"/><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
                ("xl/_rels/workbook.xml.rels", #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#),
                ("xl/styles.xml", styles), ("xl/worksheets/sheet1.xml", sheet),
            ])
        }
        #expect(try XLSXReader().rows(from: try workbook(date1904: false)) == [["2026-11-30", "2026-11-30", "46356", "919876543210", "7"]])
        #expect(try XLSXReader().rows(from: try workbook(date1904: true))[0][0] == "2030-12-01")
        // Without styles, numbers stay numbers.
        #expect(try XLSXReader().rows(from: try XLSXFixture.sheet(#"<row><c s="1"><v>46356</v></c></row>"#)) == [["46356"]])
    }

    @Test("CA-27: Excel's date serials, its 1900 leap-year quirk, times and durations, and which number formats are dates")
    func dateSerials() {
        #expect(XLSXDates.text("1", kind: .date, date1904: false) == "1900-01-01")
        #expect(XLSXDates.text("59", kind: .date, date1904: false) == "1900-02-28")
        #expect(XLSXDates.text("61", kind: .date, date1904: false) == "1900-03-01")
        #expect(XLSXDates.text("45292", kind: .date, date1904: false) == "2024-01-01")
        #expect(XLSXDates.text("45292.5", kind: .date, date1904: false) == "2024-01-01", "a date format shows no time")
        #expect(XLSXDates.text("45292.5", kind: .dateTime, date1904: false) == "2024-01-01 12:00")
        #expect(XLSXDates.text("0.3958333333", kind: .time, date1904: false) == "09:30")
        #expect(XLSXDates.text("1.0625", kind: .elapsed, date1904: false) == "25:30")
        #expect(XLSXDates.text("0", kind: .date, date1904: true) == "1904-01-01")
        #expect(XLSXDates.text("abc", kind: .date, date1904: false) == nil)
        #expect(XLSXDates.text("-1", kind: .date, date1904: false) == nil)
        #expect(XLSXDates.text("1e300", kind: .date, date1904: false) == nil)
        #expect(XLSXDates.kind(formatID: 14, code: nil) == .date)
        #expect(XLSXDates.kind(formatID: 22, code: nil) == .dateTime)
        #expect(XLSXDates.kind(formatID: 20, code: nil) == .time)
        #expect(XLSXDates.kind(formatID: 46, code: nil) == .elapsed)
        #expect(XLSXDates.kind(formatID: 2, code: nil) == nil)
        #expect(XLSXDates.kind(formatID: 164, code: "yyyy-mm-dd hh:mm") == .dateTime)
        #expect(XLSXDates.kind(formatID: 164, code: "dd/mm/yyyy") == .date)
        #expect(XLSXDates.kind(formatID: 164, code: "h:mm AM/PM") == .time)
        #expect(XLSXDates.kind(formatID: 164, code: "[h]:mm") == .elapsed)
        #expect(XLSXDates.kind(formatID: 164, code: "mmm") == .date)
        #expect(XLSXDates.kind(formatID: 165, code: #"#,##0 "days""#) == nil)
        #expect(XLSXDates.kind(formatID: 166, code: "0.00;[Red]-0.00") == nil)
        #expect(XLSXDates.kind(formatID: 166, code: "0.00E+00") == nil)
        #expect(XLSXDates.kind(formatID: 167, code: "General") == nil)
    }

    @Test("CA-27: numeric cells holding whole numbers come back as their digits, however Excel wrote them")
    func numbers() throws {
        let cases = [
            ("919876543210", "919876543210"), ("9.19876543210E11", "919876543210"), ("9.1987654321E+11", "919876543210"),
            ("9.19876543210e11", "919876543210"), ("1500", "1500"), ("1500.0", "1500"), ("-3", "-3"), ("12.5", "12.5"),
            ("2.5E-3", "2.5E-3"), ("1E400", "1E400"), ("0", "0"), ("abc", "abc"), ("", ""), ("1.", "1"), (".5", ".5"),
            // The smallest and largest exponents a number can spell: kept as written (the smallest trapped before).
            ("1E-9223372036854775808", "1E-9223372036854775808"), ("1E9223372036854775807", "1E9223372036854775807"),
        ]
        for (stored, expected) in cases { #expect(XLSXNumber.text(stored) == expected, "stored \(stored)") }
        let row = cases.enumerated().map { #"<c r="\#(XLSXWriter.columnName($0.offset))1"><v>\#($0.element.0)</v></c>"# }.joined()
        let rows = try XLSXReader().rows(from: XLSXFixture.sheet(#"<row r="1">\#(row)</row>"#))
        #expect(rows == [cases.map(\.1).reversed().drop { $0.isEmpty }.reversed()])
    }

    @Test("CA-27: shared strings (plain and rich-text runs), inline strings, booleans, formula text and errors")
    func cellTypes() throws {
        let shared = #"<si><t>plain</t></si><si><r><rPr><b/></rPr><t>Ash</t></r><r><t xml:space="preserve">a &amp; co</t></r>"#
            + #"<rPh><t>ignored</t></rPh></si>"#
        let data = try XLSXFixture.sheet(
            #"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><r><t>in</t></r>"#
                + #"<r><t>line</t></r></is></c><c r="D1" t="b"><v>1</v></c><c r="E1" t="b"><v>0</v></c>"#
                + #"<c r="F1" t="str"><f>A1</f><v>text</v></c><c r="G1" t="e"><v>#N/A</v></c></row>"#,
            sharedStrings: shared)
        #expect(try XLSXReader().rows(from: data) == [["plain", "Asha & co", "inline", "TRUE", "FALSE", "text", "#N/A"]])
    }

    @Test("CA-27: text is kept as written: spaces between rich-text runs, entities, character references and CDATA")
    func textAsWritten() throws {
        let shared = #"<si><r><t>Asha</t></r><r><rPr><b/></rPr><t xml:space="preserve"> Rao</t></r></si>"#
            + #"<si><t xml:space="preserve"> padded </t></si><si><t>&amp; &amp;&#13;&#x20AC;<![CDATA[<b>&amp;]]></t></si><si/>"#
        let data = try XLSXFixture.sheet(
            #"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c>"#
                + #"<c r="D1" t="s"><v>3</v></c><c r="E1" t="inlineStr"><is><r><t>in</t></r><r><t xml:space="preserve"> line</t></r></is></c>"#
                + #"<c r="F1" t="inlineStr"><v>fallback</v></c></row>"#,
            sharedStrings: shared)
        #expect(try XLSXReader().rows(from: data) == [["Asha Rao", " padded ", "& &\r€<b>&amp;", "", "in line", "fallback"]])
    }

    @Test("CA-27: a pretty-printed sheet reads the same; values are trimmed, and elements off the cell path are ignored")
    func layoutAndStrayElements() throws {
        let data = try XLSXFixture.zip([
            ("xl/worksheets/sheet1.xml", """
                <worksheet>
                  <sheetPr><row r="1"><c r="A1"><v>stray</v></c></row></sheetPr>
                  <sheetData>
                    <row r="1">
                      <c r="A1" t="s">
                        <v> 0 </v>
                      </c>
                      <c r="B1"><v>
                        9.19876543210E11
                      </v><extLst><v>9</v></extLst></c>
                      <c r="C1" t="b"><v> 1 </v></c>
                      <x><c r="D1"><v>nested</v></c></x>
                    </row>
                    <c r="A2"><v>outside a row</v></c>
                  </sheetData>
                </worksheet>
                """),
            ("xl/sharedStrings.xml", "<sst>\n  <si>\n    <t>name</t>\n  </si>\n</sst>"),
        ])
        #expect(try XLSXReader().rows(from: data) == [["name", "919876543210", "TRUE"]])
    }

    @Test("CA-27: a 5,000-row sheet with every cell kind reads back cell for cell")
    func largeSheet() throws {
        var written: [[XLSXWriter.Cell]] = [["name", "phonenumber", "amount", "date", "city", "opted"].map(XLSXWriter.Cell.shared)]
        var expected = [["name", "phonenumber", "amount", "date", "city", "opted"]]
        for index in 0..<5_000 {
            let phone = "9198765" + String(10_000 + index)
            written.append([
                .shared("Person \(index)"), .number(String(phone.prefix(1)) + "." + phone.dropFirst() + "E11"),
                .number("\(index).50"), .inline("2026-12-\(index % 28 + 1)"), index.isMultiple(of: 7) ? .absent : .shared("City \(index % 50)"),
                .boolean(index.isMultiple(of: 2)),
            ])
            expected.append([
                "Person \(index)", phone, "\(index).50", "2026-12-\(index % 28 + 1)", index.isMultiple(of: 7) ? "" : "City \(index % 50)",
                index.isMultiple(of: 2) ? "TRUE" : "FALSE",
            ])
        }
        #expect(try XLSXReader().rows(from: XLSXWriter(rows: written).data()) == expected)
    }

    @Test("CA-27: the first sheet is found through workbook.xml and its relationships, not by file name")
    func firstSheetThroughRelationships() throws {
        let data = try XLSXFixture.zip([
            ("xl/workbook.xml", #"<workbook xmlns="\#(XLSXFixture.main)" xmlns:r="\#(XLSXFixture.officeRelationships)"><sheets>"#
                + #"<sheet name="Audience" sheetId="4" r:id="rId7"/><sheet name="Other" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
            ("xl/_rels/workbook.xml.rels", #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
                + #"<Relationship Id="rId1" Type="\#(XLSXFixture.officeRelationships)/worksheet" Target="worksheets/sheet1.xml"/>"#
                + #"<Relationship Id="rId7" Type="\#(XLSXFixture.officeRelationships)/worksheet" Target="/xl/worksheets/data.xml"/>"#
                + #"<Relationship Id="rId9" Type="\#(XLSXFixture.officeRelationships)/sharedStrings" Target="strings/sst.xml"/>"#
                + "</Relationships>"),
            ("xl/worksheets/sheet1.xml", #"<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>"#),
            ("xl/worksheets/data.xml", #"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#),
            ("xl/strings/sst.xml", #"<sst><si><t>chosen</t></si></sst>"#),
        ])
        #expect(try XLSXReader().rows(from: data) == [["chosen"]])
        #expect(XLSXReader.resolve("worksheets/sheet2.xml", against: "xl") == "xl/worksheets/sheet2.xml")
        #expect(XLSXReader.resolve("../xl/./worksheets/s.xml", against: "xl") == "xl/worksheets/s.xml")
        #expect(XLSXReader.resolve("/xl/worksheets/s.xml", against: "xl") == "xl/worksheets/s.xml")
    }

    @Test("CA-27: namespace prefixes (x:row) read the same as the default namespace")
    func prefixedNamespace() throws {
        let data = try XLSXFixture.zip([
            ("xl/workbook.xml", #"<x:workbook xmlns:x="\#(XLSXFixture.main)" xmlns:r="\#(XLSXFixture.officeRelationships)">"#
                + #"<x:sheets><x:sheet name="S" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>"#),
            ("xl/_rels/workbook.xml.rels", #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
                + #"<Relationship Id="rId1" Type="\#(XLSXFixture.officeRelationships)/worksheet" Target="worksheets/s.xml"/></Relationships>"#),
            ("xl/worksheets/s.xml", #"<x:worksheet xmlns:x="\#(XLSXFixture.main)"><x:sheetData><x:row r="2">"#
                + #"<x:c r="B2" t="inlineStr"><x:is><x:t>hi</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>"#),
        ])
        #expect(try XLSXReader().rows(from: data) == [[], ["", "hi"]])
    }

    @Test("CA-27: cell references follow Excel's A1 scheme and bounds")
    func cellReferences() {
        #expect(XLSXCellReference("A1") == XLSXCellReference(column: 0, row: 1))
        #expect(XLSXCellReference("C7") == XLSXCellReference(column: 2, row: 7))
        #expect(XLSXCellReference("AA3") == XLSXCellReference(column: 26, row: 3))
        #expect(XLSXCellReference("xfd1048576") == XLSXCellReference(column: 16_383, row: 1_048_576))
        for bad in ["XFE1", "A0", "1A", "A", "", "A1B", "AAAA1", "A99999999", "$A$1"] { #expect(XLSXCellReference(bad) == nil, "\(bad)") }
        #expect(XLSXWriter.columnName(0) == "A" && XLSXWriter.columnName(25) == "Z" && XLSXWriter.columnName(26) == "AA")
    }

    @Test("CA-27: data that is not a zip, or a truncated zip, is audience.xlsx.not_zip")
    func notZip() throws {
        #expect(throws: AudienceError.notZip) { try AudienceFile.rows(from: Data("name,phonenumber\n".utf8), filename: "list.xlsx") }
        let sample = try SampleFile.xlsx()
        #expect(throws: AudienceError.notZip) { try AudienceFile.rows(from: sample.prefix(sample.count / 2), filename: "a.xlsx") }
        #expect(throws: AudienceError.notZip) { try AudienceFile.rows(from: sample.prefix(sample.count - 10), filename: "a.xlsx") }
        #expect(throws: AudienceError.notZip) { try XLSXReader().rows(from: Data()) }
        let padded = Data(AudienceFile.zipMagic + Array(repeating: 0x41, count: AudienceFile.maxBytes - 4))
        #expect(throws: AudienceError.notZip) { try XLSXReader().rows(from: padded) }
    }

    @Test("CA-27: a zip without a worksheet is audience.xlsx.no_worksheet")
    func noWorksheet() throws {
        let data = try XLSXFixture.zip([("docProps/app.xml", "<Properties/>")])
        let error = #expect(throws: AudienceError.noWorksheet) { try XLSXReader().rows(from: data) }
        #expect(error?.code == "audience.xlsx.no_worksheet")
    }

    @Test("CA-27: a deflate stream cut short inside an intact zip ends in an error instead of spinning forever")
    func truncatedDeflateStream() throws {
        var bytes = [UInt8](try SampleFile.xlsx())
        let header = try XLSXFixture.header(0x03, named: "xl/worksheets/sheet1.xml", in: bytes)
        let dataStart = header + 30 + "xl/worksheets/sheet1.xml".utf8.count + Int(bytes[header + 28]) + Int(bytes[header + 29]) << 8
        // A non-final stored block announcing 65,535 bytes: far more than the entry holds.
        bytes.replaceSubrange(dataStart..<dataStart + 5, with: [0x00, 0xFF, 0xFF, 0x00, 0x00])
        #expect(throws: AudienceError.corrupt(path: "xl/worksheets/sheet1.xml", reason: "it cannot be inflated")) {
            try XLSXReader().rows(from: Data(bytes))
        }
    }

    @Test("CA-27: a flipped byte in compressed data fails the checksum or the inflate, never the process")
    func damagedBytes() throws {
        let sample = [UInt8](try SampleFile.xlsx())
        let header = try XLSXFixture.header(0x03, named: "xl/worksheets/sheet1.xml", in: sample)
        for offset in stride(from: header + 60, to: header + 200, by: 7) {
            var bytes = sample
            bytes[offset] ^= 0x5A
            #expect(throws: AudienceError.self) { try XLSXReader().rows(from: Data(bytes)) }
        }
    }

    @Test("CA-27: hundreds of randomly damaged workbooks each give rows or a typed error, never a crash")
    func damagedWorkbooks() throws {
        let original = [UInt8](try AudienceAcceptance.xlsx())
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for round in 0..<400 {
            var bytes = original
            for _ in 0...next(4) {
                // Every other round aims at the central directory and end record, where the offsets live.
                let offset = round.isMultiple(of: 2) ? next(bytes.count) : bytes.count - 1 - next(700)
                bytes[offset] = UInt8(truncatingIfNeeded: next(256))
            }
            do {
                _ = try XLSXReader().rows(from: Data(bytes))
            } catch {
                #expect(error.code.hasPrefix("audience.xlsx."))
            }
        }
    }

    @Test("CA-27: a central directory pointing past the end of the data is refused before ZIPFoundation follows it")
    func directoryOutsideData() throws {
        var bytes = [UInt8](try SampleFile.xlsx())
        let end = try #require(bytes.indices.dropLast(3).last { bytes[$0..<$0 + 4].elementsEqual([0x50, 0x4B, 0x05, 0x06]) })
        XLSXFixture.writeLittleEndian32(UInt32(bytes.count + 1_000), at: end + 16, in: &bytes)
        #expect(throws: AudienceError.corrupt(path: "", reason: "the central directory is damaged")) {
            try XLSXReader().rows(from: Data(bytes))
        }
        var local = [UInt8](try SampleFile.xlsx())
        let record = try XLSXFixture.header(0x01, named: "xl/workbook.xml", in: local)
        XLSXFixture.writeLittleEndian32(UInt32(local.count - 10), at: record + 42, in: &local)
        #expect(throws: AudienceError.corrupt(path: "", reason: "a local file header is missing")) {
            try XLSXReader().rows(from: Data(local))
        }
    }

    @Test("CA-27: a part declaring more than 20 MB is refused before it is inflated (zip bomb)")
    func declaredBomb() throws {
        let data = try XLSXWriter.zip([("xl/worksheets/sheet1.xml", Data(repeating: 0x20, count: XLSXPackage.maxEntryBytes + 1))])
        #expect(data.count < 100_000)
        let error = #expect(throws: AudienceError.entryTooLarge(path: "xl/worksheets/sheet1.xml", limit: XLSXPackage.maxEntryBytes)) {
            try AudienceFile.rows(from: data, filename: "bomb.xlsx")
        }
        #expect(error?.code == "audience.xlsx.entry_too_large")
    }

    @Test("CA-27: a part that lies about its size is stopped at 20 MB while inflating (zip bomb)")
    func lyingBomb() throws {
        let path = "xl/worksheets/sheet1.xml"
        var bytes = [UInt8](try XLSXWriter.zip([(path, Data(repeating: 0x20, count: XLSXPackage.maxEntryBytes + 1))]))
        XLSXFixture.writeLittleEndian32(100, at: try XLSXFixture.header(0x03, named: path, in: bytes) + 22, in: &bytes)
        XLSXFixture.writeLittleEndian32(100, at: try XLSXFixture.header(0x01, named: path, in: bytes) + 24, in: &bytes)
        #expect(throws: AudienceError.entryTooLarge(path: path, limit: XLSXPackage.maxEntryBytes)) {
            try XLSXReader().rows(from: Data(bytes))
        }
    }

    @Test("CA-27: a DTD (billion laughs) in any part is refused before parsing")
    func entityBomb() throws {
        let laughs = #"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>"#
        let data = try XLSXFixture.zip([
            ("xl/worksheets/sheet1.xml", #"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#),
            ("xl/sharedStrings.xml", laughs + "<sst><si><t>&lol2;</t></si></sst>"),
        ])
        #expect(throws: AudienceError.corrupt(path: "xl/sharedStrings.xml", reason: "a DTD is not allowed")) {
            try XLSXReader().rows(from: data)
        }
        let sheet = try XLSXFixture.zip([
            ("xl/worksheets/sheet1.xml", laughs + #"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c>"#
                + "</row></sheetData></worksheet>"),
        ])
        #expect(throws: AudienceError.corrupt(path: "xl/worksheets/sheet1.xml", reason: "a DTD is not allowed")) {
            try XLSXReader().rows(from: sheet)
        }
    }

    @Test("CA-27: deeply nested XML is refused before the parser's recursion can overflow the stack")
    func deepNesting() throws {
        let depth = 200_000
        let data = try XLSXFixture.sheet(String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth))
        #expect(throws: AudienceError.corrupt(path: "xl/worksheets/sheet1.xml", reason: "elements nested more than 64 deep")) {
            try XLSXReader().rows(from: data)
        }
    }

    @Test("CA-27: hundreds of damaged worksheet and shared-string XML texts each give rows or a typed error, never a crash")
    func damagedXML() throws {
        let sheet = #"<?xml version="1.0"?><x:worksheet xmlns:x="\#(XLSXFixture.main)"><x:sheetData><x:row r="1">"#
            + #"<x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1"><x:v>9.19876543210E11</x:v></x:c><x:c t="inlineStr"><x:is><x:r>"#
            + #"<x:t xml:space="preserve">a &amp; b</x:t></x:r></x:is></x:c></x:row><x:row><x:c r="C2" t="b"><x:v>1</x:v></x:c>"#
            + #"</x:row></x:sheetData></x:worksheet>"#
        let shared = #"<sst xmlns="\#(XLSXFixture.main)"><si><t>one</t></si><si><r><t>tw</t></r><r><t>o</t></r></si></sst>"#
        #expect(try XLSXReader().rows(from: XLSXFixture.zip([("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared)]))
            == [["one", "919876543210", "a & b"], ["", "", "TRUE"]])
        let alphabet = Array("<>/=\"'&;!?[]-:x rcvtsi0A\u{0}\u{E9}".unicodeScalars)
        var state: UInt64 = 7
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        for round in 0..<400 {
            var parts = [Array(sheet.unicodeScalars), Array(shared.unicodeScalars)]
            let target = round % 2
            switch next(3) {
            case 0: parts[target].removeLast(next(parts[target].count))
            case 1: for _ in 0...next(4) { parts[target][next(parts[target].count)] = alphabet[next(alphabet.count)] }
            default: parts[target].insert(contentsOf: parts[target][0..<next(parts[target].count)], at: next(parts[target].count))
            }
            let texts = parts.map { String(String.UnicodeScalarView($0)) }
            let data = try XLSXFixture.zip([("xl/worksheets/sheet1.xml", texts[0]), ("xl/sharedStrings.xml", texts[1])])
            do {
                _ = try XLSXReader().rows(from: data)
            } catch {
                #expect(error.code.hasPrefix("audience.xlsx."))
            }
        }
    }

    @Test("CA-27: malformed XML, bad cell references and missing shared strings are audience.xlsx.corrupt")
    func corruptParts() throws {
        let sheetPath = "xl/worksheets/sheet1.xml"
        let malformed = try XLSXFixture.zip([(sheetPath, "<worksheet><sheetData><row>")])
        #expect(throws: AudienceError.corrupt(path: sheetPath, reason: "it is not well-formed SpreadsheetML")) {
            try XLSXReader().rows(from: malformed)
        }
        #expect(throws: AudienceError.corrupt(path: sheetPath, reason: "cell reference \"1A\"")) {
            try XLSXReader().rows(from: XLSXFixture.sheet(#"<row r="1"><c r="1A"><v>1</v></c></row>"#))
        }
        #expect(throws: AudienceError.corrupt(path: sheetPath, reason: "shared string \"3\" does not exist")) {
            try XLSXReader().rows(from: XLSXFixture.sheet(#"<row r="1"><c r="A1" t="s"><v>3</v></c></row>"#, sharedStrings: "<si><t>a</t></si>"))
        }
        let utf16 = try XLSXWriter.zip([(sheetPath, Data([0xFF, 0xFE, 0x3C, 0x00]))])
        #expect(throws: AudienceError.corrupt(path: sheetPath, reason: "not UTF-8 text")) { try XLSXReader().rows(from: utf16) }
    }

    @Test("CA-27: more than 100,000 rows, or rows × columns past the cell limit, are refused")
    func rowAndCellLimits() throws {
        let far = try XLSXFixture.sheet(#"<row r="100001"><c r="A100001"><v>1</v></c></row>"#)
        #expect(throws: AudienceError.tooManyRows(limit: 100_000)) { try XLSXReader().rows(from: far) }
        let wide = try XLSXFixture.sheet(#"<row r="1"><c r="F1"><v>1</v></c></row>"#)
        #expect(throws: AudienceError.tooManyCells(limit: 5)) { try XLSXReader(maxCells: 5).rows(from: wide) }
        // Each row holds one value at column XFD: 16,384 cells a row once positions are kept.
        let spread = try XLSXFixture.sheet((1...10).map { #"<row r="\#($0)"><c r="XFD\#($0)"><v>1</v></c></row>"# }.joined())
        #expect(throws: AudienceError.tooManyCells(limit: 100_000)) { try XLSXReader(maxCells: 100_000).rows(from: spread) }
    }

    @Test("CA-27: empty formatting-only cells far to the right do not widen rows")
    func emptyCellsAddNothing() throws {
        let data = try XLSXFixture.sheet(#"<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"/><c r="XFC1" t="s"/></row>"#)
        #expect(try XLSXReader().rows(from: data) == [["1"]])
    }
}

import Foundation

/// CA-30: the "Download Sample File" of the audience upload, as .csv or .xlsx, with the required columns and two
/// template-variable columns filled in the way the importer expects (D-13).
enum SampleFile {
    static let headers = ["name", "phonenumber", "amount", "date"]
    static let rows = [
        ["Asha", "919876543210", "1500", "2026-12-01"],
        ["Ravi", "919812345678", "2750", "2026-12-15"],
    ]

    static let csvFilename = "audience-sample.csv"
    static let xlsxFilename = "audience-sample.xlsx"
    static let csvContentType = "text/csv; charset=utf-8"
    static let xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    /// RFC 4180 lines (CRLF); no value needs quoting.
    static var csv: String {
        ([headers] + rows).map { $0.joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// Every cell an inline string, so Excel shows `919876543210` and not `9.19877E+11`.
    static func xlsx() throws -> Data {
        try XLSXWriter(rows: ([headers] + rows).map { $0.map(XLSXWriter.Cell.inline) }).data()
    }
}

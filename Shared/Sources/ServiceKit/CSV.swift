import Foundation
public import Hummingbird

/// RFC 4180 CSV for exports: fields quoted when needed, and cells a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@` first) prefixed with a quote so an export can never execute anything.
public enum CSV {
    public static func row(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",") + "\r\n"
    }

    public static func escape(_ field: String) -> String {
        var text = field
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), !isNumber(text) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// "+919876543210" and "-12.50" are data, not formulas.
    static func isNumber(_ text: String) -> Bool {
        let body = text.dropFirst()
        return !body.isEmpty && body.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
    }

    /// A downloadable CSV file.
    public static func response(_ text: String, filename: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(filename)\""
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

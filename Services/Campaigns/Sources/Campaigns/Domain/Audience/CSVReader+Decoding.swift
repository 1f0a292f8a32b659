import Foundation

extension CSVReader {
    /// Uploaded bytes as UTF-8. UTF-8 (BOM stripped) first; UTF-16 when it carries a BOM (Excel's "Unicode text");
    /// anything else is read as Windows-1252, which decodes every byte sequence, so an old Excel export with a name
    /// such as `José` in Latin-1 still loads instead of failing.
    static func utf8(_ data: Data) -> [UInt8] {
        let bytes = [UInt8](data)
        if bytes.starts(with: utf8BOM) {
            let rest = Array(bytes.dropFirst(utf8BOM.count))
            return String(validating: rest, as: UTF8.self) == nil ? windows1252(rest) : rest
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]), let text = utf16(bytes) { return Array(text.utf8) }
        return String(validating: bytes, as: UTF8.self) == nil ? windows1252(bytes) : bytes
    }

    /// The decoded text, for callers that want a `String`.
    static func decode(_ data: Data) -> String { String(decoding: utf8(data), as: UTF8.self) }

    private static func utf16(_ bytes: [UInt8]) -> String? {
        guard bytes.count.isMultiple(of: 2) else { return nil }
        let littleEndian = bytes[0] == 0xFF
        let units = stride(from: 2, to: bytes.count, by: 2).map { offset in
            let (low, high) = littleEndian ? (bytes[offset], bytes[offset + 1]) : (bytes[offset + 1], bytes[offset])
            return UInt16(high) << 8 | UInt16(low)
        }
        return String(validating: units, as: UTF16.self)
    }

    /// Windows-1252 is Latin-1 except for 0x80–0x9F, where it has typographic marks; the five bytes it leaves
    /// undefined keep their Latin-1 (C1 control) meaning so no byte is ever lost. Encoded straight to UTF-8 bytes.
    private static func windows1252(_ bytes: [UInt8]) -> [UInt8] {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.count + bytes.count / 4)
        for byte in bytes {
            guard byte >= 0x80 else {
                utf8.append(byte)
                continue
            }
            let value = byte <= 0x9F ? cp1252High[Int(byte) - 0x80] : UInt32(byte)
            if value < 0x800 {
                utf8.append(UInt8(0xC0 | value >> 6))
            } else {
                utf8.append(UInt8(0xE0 | value >> 12))
                utf8.append(UInt8(0x80 | value >> 6 & 0x3F))
            }
            utf8.append(UInt8(0x80 | value & 0x3F))
        }
        return utf8
    }

    private static let cp1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}

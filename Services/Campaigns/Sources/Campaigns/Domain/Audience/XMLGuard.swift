import Foundation

/// A byte-level check run on every XML part before it reaches the XML parser. Every part must be UTF-8. OOXML never
/// needs a DTD, so any `<!DOCTYPE`/`<!ENTITY` is refused (no entity-expansion bombs), and nesting is capped because
/// XMLCoder builds its tree recursively: a few hundred thousand nested elements would overflow the stack and crash the
/// process. The streamed parts (`XLSXStreamParser`) pass the same check, so every part obeys one rule.
enum XMLGuard {
    /// SpreadsheetML nests about 7 deep (worksheet/sheetData/row/c/is/r/t); 64 leaves room for extensions.
    static let maxDepth = 64

    static func check(_ data: Data, path: String) throws(AudienceError) {
        let bytes = [UInt8](data)
        // UTF-16 parts (a NUL beside every ASCII byte) would slip past this byte scan; Excel and every generator
        // we know write UTF-8.
        if bytes.contains(0) { throw .corrupt(path: path, reason: "not UTF-8 text") }
        // Nor is a byte that is not UTF-8 ever let through: libxml2 recovers from it and hands it on, and FoundationXML
        // force-unwraps the name it was in, which kills the process.
        if String(validating: bytes, as: UTF8.self) == nil { throw .corrupt(path: path, reason: "not UTF-8 text") }
        var depth = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "<"), index + 1 < bytes.count else {
                index += 1
                continue
            }
            switch bytes[index + 1] {
            case UInt8(ascii: "?"):
                index = end(of: "?>", in: bytes, from: index + 2)
            case UInt8(ascii: "!"):
                if matches("<!--", in: bytes, at: index) {
                    index = end(of: "-->", in: bytes, from: index + 4)
                } else if matches("<![CDATA[", in: bytes, at: index) {
                    index = end(of: "]]>", in: bytes, from: index + 9)
                } else {
                    throw .corrupt(path: path, reason: "a DTD is not allowed")
                }
            case UInt8(ascii: "/"):
                depth -= 1
                index = end(of: ">", in: bytes, from: index + 2)
            default:
                let (next, selfClosing) = endOfStartTag(in: bytes, from: index + 1)
                index = next
                if !selfClosing { depth += 1 }
                if depth > maxDepth { throw .corrupt(path: path, reason: "elements nested more than \(maxDepth) deep") }
            }
        }
    }

    /// The index just past `marker`, or the end of the bytes when it never comes (the parser then reports the error).
    private static func end(of marker: String, in bytes: [UInt8], from start: Int) -> Int {
        let needle = Array(marker.utf8)
        var index = start
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0], matches(needle, in: bytes, at: index) { return index + needle.count }
            index += 1
        }
        return bytes.count
    }

    /// Attribute values may contain `>` and `/`, so quotes are followed to find where the tag really ends.
    private static func endOfStartTag(in bytes: [UInt8], from start: Int) -> (next: Int, selfClosing: Bool) {
        var quote: UInt8?
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return (index + 1, bytes[index - 1] == UInt8(ascii: "/"))
            }
            index += 1
        }
        return (bytes.count, false)
    }

    private static func matches(_ marker: String, in bytes: [UInt8], at index: Int) -> Bool {
        matches(Array(marker.utf8), in: bytes, at: index)
    }

    private static func matches(_ needle: [UInt8], in bytes: [UInt8], at index: Int) -> Bool {
        index + needle.count <= bytes.count && bytes[index..<index + needle.count].elementsEqual(needle)
    }
}

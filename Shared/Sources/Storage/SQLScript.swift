/// Splits a migration file into single statements. postgres-nio speaks only the extended query protocol,
/// which takes one statement at a time, so a script must be cut at its top-level semicolons: not those inside
/// quotes, quoted identifiers, dollar-quoted bodies (`$$ … $$`, `$fn$ … $fn$`) or comments.
public enum SQLScript {
    public static func statements(_ script: String) -> [String] {
        let characters = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var index = 0

        func flush() {
            let statement = String(current).trimmingWhitespace()
            if !statement.isEmpty && !isOnlyComments(statement) { statements.append(statement) }
            current = String.UnicodeScalarView()
        }

        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "-" where next == "-":
                while index < characters.count && characters[index] != "\n" {
                    current.append(characters[index])
                    index += 1
                }
                continue
            case "/" where next == "*":
                let end = find(["*", "/"], in: characters, from: index + 2)
                current.append(contentsOf: characters[index..<end])
                index = end
                continue
            case "'", "\"":
                var end = index + 1
                while end < characters.count {
                    if characters[end] == character {
                        // A doubled quote is an escaped quote, not the end.
                        if end + 1 < characters.count && characters[end + 1] == character {
                            end += 2
                            continue
                        }
                        end += 1
                        break
                    }
                    end += 1
                }
                current.append(contentsOf: characters[index..<min(end, characters.count)])
                index = end
                continue
            case "$":
                if let tagEnd = dollarTagEnd(characters, from: index) {
                    let tag = Array(characters[index...tagEnd])
                    let end = find(tag, in: characters, from: tagEnd + 1)
                    current.append(contentsOf: characters[index..<end])
                    index = end
                    continue
                }
            case ";":
                flush()
                index += 1
                continue
            default:
                break
            }
            current.append(character)
            index += 1
        }
        flush()
        return statements
    }

    /// The index of the closing `$` of a dollar-quote tag starting at `start` (`$$` or `$name$`), if it is one.
    private static func dollarTagEnd(_ characters: [Unicode.Scalar], from start: Int) -> Int? {
        var index = start + 1
        while index < characters.count {
            let character = characters[index]
            if character == "$" { return index }
            guard character == "_" || character.properties.isAlphabetic || (index > start + 1 && ("0"..."9").contains(character)) else {
                return nil
            }
            index += 1
        }
        return nil
    }

    /// The index just past the first occurrence of `needle` at or after `start` (or the end of the text).
    private static func find(_ needle: [Unicode.Scalar], in characters: [Unicode.Scalar], from start: Int) -> Int {
        var index = start
        while index + needle.count <= characters.count {
            if Array(characters[index..<index + needle.count]) == needle { return index + needle.count }
            index += 1
        }
        return characters.count
    }

    private static func isOnlyComments(_ statement: String) -> Bool {
        statement.split(separator: "\n").allSatisfy { line in
            let text = line.trimmingWhitespace()
            return text.isEmpty || text.hasPrefix("--")
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

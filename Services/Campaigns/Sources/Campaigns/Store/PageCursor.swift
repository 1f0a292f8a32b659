import Foundation

/// A keyset page's position: the last row of the page before, by its instant in microseconds since 1970 (PostgreSQL's
/// own precision, so the cursor names that row exactly) and a key that orders rows of the same instant.
/// As the API passes it: `<microseconds>-<key>`, nothing a URL would change.
struct PageCursor<Key: PageCursorKey>: Sendable, Equatable {
    /// 2200-01-01: after any stamp a row carries (Meta's are taken as now past 2100). SQL turns the number back into
    /// an instant through a float (`* interval '1 microsecond'`), which is exact only below 2^53 µs (the year 2255) and
    /// fails with "interval out of range" for the largest numbers, so a forged cursor must not get that far.
    static var latest: Int64 { 7_258_118_400_000_000 }

    var microseconds: Int64
    var key: Key

    init(microseconds: Int64, key: Key) {
        self.microseconds = microseconds
        self.key = key
    }

    init?(text: String) {
        guard let dash = text.firstIndex(of: "-") else { return nil }
        let digits = text[..<dash]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let microseconds = Int64(digits), microseconds <= Self.latest,
              let key = Key(cursorText: text[text.index(after: dash)...])
        else { return nil }
        self.init(microseconds: microseconds, key: key)
    }

    var text: String { "\(microseconds)-\(key.cursorText)" }
}

/// What breaks ties between rows of one instant in a `PageCursor`.
protocol PageCursorKey: Sendable, Equatable {
    var cursorText: String { get }
    init?(cursorText: Substring)
}

extension UUID: PageCursorKey {
    var cursorText: String { uuidString.lowercased() }
    init?(cursorText: Substring) { self.init(uuidString: String(cursorText)) }
}

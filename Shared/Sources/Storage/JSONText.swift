import Contracts
public import Foundation

/// jsonb columns travel as text: encoded with the platform's JSON dialect, cast to jsonb in SQL.
public enum JSONText {
    public static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONCoding.encoder().encode(value), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try JSONCoding.decoder().decode(T.self, from: Data(text.utf8))
    }

    /// A JSON document whose strings lose the NUL characters (`\u0000`, the only way JSON can carry one) that
    /// PostgreSQL's text refuses: a provider's post carrying one in any field would otherwise be refused whole, with
    /// everything else in it. Escaped backslashes are kept as they are, so `\\u0000` stays the text `\u0000`.
    public static func withoutNULs(_ json: Data) -> Data {
        let bytes = [UInt8](json)
        let backslash = UInt8(ascii: "\\")
        let nul = Array("u0000".utf8)
        guard bytes.contains(backslash) else { return json }
        var kept: [UInt8] = []
        kept.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == backslash, index + 1 < bytes.count else {
                kept.append(byte)
                index += 1
                continue
            }
            if index + 6 <= bytes.count, Array(bytes[(index + 1)..<(index + 6)]) == nul {
                index += 6
                continue
            }
            // Any other escape, an escaped backslash included, is copied whole.
            kept.append(byte)
            kept.append(bytes[index + 1])
            index += 2
        }
        return Data(kept)
    }
}


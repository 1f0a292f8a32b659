import Contracts
import Foundation

/// jsonb columns travel as text: encoded with the platform's JSON dialect, cast to jsonb in SQL.
public enum JSONText {
    public static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONCoding.encoder().encode(value), as: UTF8.self)
    }

    public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try JSONCoding.decoder().decode(T.self, from: Data(text.utf8))
    }
}

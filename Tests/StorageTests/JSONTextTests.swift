import Foundation
import Storage
import Testing

@Suite("JSON text")
struct JSONTextTests {
    @Test("NUL characters leave a JSON document's strings; an escaped backslash before u0000 and other escapes stay")
    func withoutNULs() throws {
        func clean(_ text: String) -> String { String(decoding: JSONText.withoutNULs(Data(text.utf8)), as: UTF8.self) }
        #expect(clean(#"{"text":"hi\u0000 there\u0000"}"#) == #"{"text":"hi there"}"#)
        #expect(clean(#"{"text":"C:\\u0000"}"#) == #"{"text":"C:\\u0000"}"#)
        #expect(clean(#"{"text":"a\"b\n\u00e9"}"#) == #"{"text":"a\"b\n\u00e9"}"#)
        #expect(clean(#"{"text":"plain"}"#) == #"{"text":"plain"}"#)
        let decoded = try JSONDecoder().decode([String: String].self, from: JSONText.withoutNULs(Data(#"{"text":"x\u0000y"}"#.utf8)))
        #expect(decoded["text"] == "xy")
    }
}

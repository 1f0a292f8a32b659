import Contracts
import Foundation
import Testing

/// The scanner must read every body exactly as `JSONDecoder` does, or give up (nil) and leave it to the decoder.
@Suite("Envelope header scanner")
struct EnvelopeHeaderScannerTests {
    static let id = "6f1c2b1e-2222-4a5b-9c1d-000000000002"
    static let company = "6f1c2b1e-1111-4a5b-9c1d-000000000001"

    static func decoded(_ text: String) -> EnvelopeHeader? {
        try? JSONCoding.decoder().decode(EnvelopeHeader.self, from: Data(text.utf8))
    }

    static func scanned(_ text: String) -> EnvelopeHeader? { EnvelopeHeaderScanner.header(in: Array(text.utf8)) }

    @Test("reads what our encoder writes, payload of any shape skipped, exactly as the decoder reads it")
    func encoderOutput() throws {
        let payloads = [
            #"{"a":1}"#, #"{"note":"braces } ] { [ and \"quotes\" and , commas"}"#, #"[1,[2,{"x":[]}],"]"]"#, #""text""#, "42",
            "-1.5e3", "null", "true", #"{"nested":{"deep":{"deeper":[{},[],"\\"]}}}"#, #"{"emoji":"☎️ ünïcode"}"#,
        ]
        for payload in payloads {
            let body = #"{"id":"\#(Self.id)","type":"call.completed","version":2,"company_id":"\#(Self.company)","occurred_at":"2026-11-28T10:00:00.123Z","correlation_id":"c-1","traceparent":null,"data":\#(payload)}"#
            let scanned = try #require(Self.scanned(body), "payload \(payload)")
            #expect(scanned == Self.decoded(body))
            #expect(scanned.version == 2)
            #expect(scanned.correlationID == "c-1")
            #expect(scanned.traceparent == nil)
        }
    }

    @Test("key order, whitespace, data first, absent optional fields")
    func layouts() throws {
        let bodies = [
            #" { "data" : { "x" : [ 1 , 2 ] } ,  "occurred_at" : "2026-11-28T10:00:00Z" , "company_id":"\#(Self.company)", "version": 1, "type":"a.b", "id":"\#(Self.id)" } "#,
            "{\n\t\"id\": \"\(Self.id.uppercased())\",\n\t\"type\": \"a.b\",\n\t\"version\": 1,\n\t\"company_id\": \"\(Self.company)\",\n\t\"occurred_at\": \"2026-11-28T10:00:00.5+05:30\",\n\t\"data\": {}\n}\n",
        ]
        for body in bodies {
            let scanned = try #require(Self.scanned(body), "body \(body)")
            #expect(scanned == Self.decoded(body))
        }
    }

    @Test("whatever it is unsure of goes to the decoder: escapes, non-ASCII, repeated keys, odd numbers, missing fields, junk")
    func unsure() {
        let base = #""type":"a.b","version":1,"company_id":"\#(Self.company)","occurred_at":"2026-11-28T10:00:00.123Z","data":{}"#
        let bodies = [
            #"{"id":"\#(Self.id)","correlation_id":"a\"b",\#(base)}"#,  // an escape
            #"{"id":"\#(Self.id)","correlation_id":"ünï",\#(base)}"#,  // non-ASCII
            #"{"id":"\#(Self.id)","id":"\#(Self.id)",\#(base)}"#,  // repeated key
            #"{"id":"\#(Self.id)","extra":[{"id":"not this one"}],\#(base)}"#,  // a key our encoder never writes
            #"{"id":"\#(Self.id)","extra":[1,,2],\#(base)}"#,  // … whose value only the decoder would check
            #"{"id":"\#(Self.id)",\#(base.replacingOccurrences(of: "\"version\":1", with: "\"version\":1.0"))}"#,
            #"{"id":"\#(Self.id)",\#(base.replacingOccurrences(of: "\"version\":1", with: "\"version\":1e2"))}"#,
            #"{\#(base)}"#,  // no id
            #"{"id":"not-a-uuid",\#(base)}"#,
            #"{"id":"\#(Self.id)",\#(base.replacingOccurrences(of: "2026-11-28T10:00:00.123Z", with: "yesterday"))}"#,
            #"{"id":"\#(Self.id)",\#(base)} trailing"#,
            #"{"id":"\#(Self.id)",\#(base)"#,  // unterminated
            #"{"id":"\#(Self.id)","data":"unterminated"#,
            #"{"id":"\#(Self.id)",\#(base.replacingOccurrences(of: "\"data\":{}", with: "\"data\":[}"))}"#,  // brackets mismatched
            #"{"id":"\#(Self.id)",\#(base.replacingOccurrences(of: "\"data\":{}", with: "\"data\":"))}"#,  // no value
            #"{"id":"\#(Self.id)",\#(base.replacingOccurrences(of: "\"data\":{}", with: "\"data\":,\"x\":1"))}"#,
            "", "[]", "null", "{",
        ]
        for body in bodies {
            #expect(Self.scanned(body) == nil, "body \(body)")
        }
        // The decoder still reads the ones that are valid envelopes, so a received body is read as before.
        let escaped = #"{"id":"\#(Self.id)","correlation_id":"a\"b",\#(base)}"#
        #expect((try? EncodedEnvelope(body: Array(escaped.utf8)))?.header.correlationID == "a\"b")
        #expect(throws: (any Error).self) { try EncodedEnvelope(body: Array(#"{"id":"not-a-uuid",\#(base)}"#.utf8)) }
        let extra = #"{"id":"\#(Self.id)","extra":[{"id":"not this one"}],"version":-3,\#(base.replacingOccurrences(of: "\"version\":1,", with: ""))}"#
        #expect((try? EncodedEnvelope(body: Array(extra.utf8)))?.header.version == -3)
        #expect(throws: (any Error).self) { try EncodedEnvelope(body: Array(#"{"id":"\#(Self.id)","extra":[1,,2],\#(base)}"#.utf8)) }
    }

    @Test("every one-byte change to a body: whenever both read a header, they read the same one")
    func mutations() throws {
        let body = Array(#"{"id":"\#(Self.id)","type":"a.b","version":12,"company_id":"\#(Self.company)","occurred_at":"2026-11-28T10:00:00.123Z","correlation_id":"c-9","traceparent":null,"data":{"list":[1,{"k":"v\"w"}],"n":-2.5e1}}"#.utf8)
        var compared = 0
        for index in body.indices {
            for replacement in [nil, UInt8(ascii: "}"), UInt8(ascii: "\""), UInt8(ascii: "1"), UInt8(ascii: ","), UInt8(ascii: "x")] as [UInt8?] {
                var mutated = body
                if let replacement { mutated[index] = replacement } else { mutated.remove(at: index) }
                let decoded = try? JSONCoding.decoder().decode(EnvelopeHeader.self, from: Data(mutated))
                if let scanned = EnvelopeHeaderScanner.header(in: mutated), let decoded {
                    #expect(scanned == decoded, "byte \(index) → \(String(describing: replacement))")
                    compared += 1
                }
            }
        }
        #expect(compared > 100)
    }

    @Test("BI-19: the envelope Billing's migration 0009 writes with json_build_object reads as billing.did.activated")
    func bi19BackfilledEnvelope() throws {
        let body = #"{"id" : "58bcb7cf-01f8-418c-acc4-ee9e63fd7bf6", "type" : "billing.did.activated", "version" : 1, "company_id" : "0411247f-3f51-40e7-a6f4-cb94a8e970c4", "occurred_at" : "2026-11-29T16:19:55.029Z", "correlation_id" : null, "traceparent" : null, "data" : {"number" : "+918012345678", "activated_at" : "2026-11-29T16:19:55.029Z"}}"#
        let received = try EncodedEnvelope(body: Array(body.utf8))
        #expect(received.header == Self.decoded(body))
        #expect(received.header.type == .billingNumberActivated)
        let event = try received.decode(NumberActivated.self)
        #expect(event.data.number == PhoneNumber(e164: "+918012345678"))
        #expect(event.data.activatedAt == Timestamp.parse("2026-11-29T16:19:55.029Z"))
    }

    @Test("the payload's place: decoding it alone gives what decoding the whole envelope gives; a bad payload still fails as a decoding error")
    func payloadAlone() throws {
        struct Note: Event {
            static let type: EventType = "sample.note"
            static let version = 3
            var text: String
            var tags: [String]
        }
        let payloads = [#"{"text":"a } \" ] {","tags":["x","y"]}"#, #" { "tags" : [ ] , "text" : "☎️" } "#]
        for payload in payloads {
            let body = Array(#"{"id":"\#(Self.id)","type":"sample.note","version":3,"company_id":"\#(Self.company)","occurred_at":"2026-11-28T10:00:00.123Z","data":\#(payload),"correlation_id":"c-1"}"#.utf8)
            let scanned = try #require(EnvelopeHeaderScanner.scan(body))
            let range = try #require(scanned.payload)
            #expect(String(decoding: body[range], as: UTF8.self) == payload.trimmingCharacters(in: .whitespaces))
            let alone = try EncodedEnvelope(body: body).decode(Note.self)
            let whole = try JSONCoding.decoder().decode(Envelope<Note>.self, from: Data(body))
            #expect(alone.data.text == whole.data.text && alone.data.tags == whole.data.tags)
            #expect(alone.header == whole.header)
            #expect(alone.version == 3)
        }
        let noData = #"{"id":"\#(Self.id)","type":"sample.note","version":3,"company_id":"\#(Self.company)","occurred_at":"2026-11-28T10:00:00.123Z"}"#
        #expect(try #require(EnvelopeHeaderScanner.scan(Array(noData.utf8))).payload == nil)
        #expect(throws: DecodingError.self) { try EncodedEnvelope(body: Array(noData.utf8)).decode(Note.self) }
        let wrongShape = #"{"id":"\#(Self.id)","type":"sample.note","version":3,"company_id":"\#(Self.company)","occurred_at":"2026-11-28T10:00:00.123Z","data":{"text":1,"tags":[]}}"#
        #expect(throws: DecodingError.self) { try EncodedEnvelope(body: Array(wrongShape.utf8)).decode(Note.self) }
        let twice = #"{"id":"\#(Self.id)","type":"a.b","version":1,"company_id":"\#(Self.company)","occurred_at":"2026-11-28T10:00:00.123Z","data":{},"data":{}}"#
        #expect(EnvelopeHeaderScanner.scan(Array(twice.utf8)) == nil)
    }

    @Test("a real envelope through EncodedEnvelope: scanned header equals the envelope's")
    func realEnvelope() throws {
        struct Padded: Event {
            static let type: EventType = "sample.padded"
            var text: String
            var numbers: [Int]
        }
        let envelope = Envelope(
            companyID: CompanyID(), occurredAt: try #require(Timestamp.parse("2026-11-28T23:59:59.999Z")), correlationID: "call-42", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            data: Padded(text: "a \"quoted\" {brace} and / slash", numbers: [1, -2, 3]))
        let encoded = try EncodedEnvelope(envelope)
        #expect(EnvelopeHeaderScanner.header(in: encoded.body) == envelope.header)
        let received = try EncodedEnvelope(body: encoded.body)
        #expect(received.header == envelope.header)
        let decoded = try received.decode(Padded.self)
        #expect(decoded.header == envelope.header)
        #expect(decoded.data.text == envelope.data.text && decoded.data.numbers == envelope.data.numbers)
    }
}

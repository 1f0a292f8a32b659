import Contracts
import Foundation
import Testing

struct SampleHappened: Event {
    static let type: EventType = "sample.happened"
    var callUID: CallID
    var caller: PhoneNumber
    var cost: Money

    enum CodingKeys: String, CodingKey {
        case caller, cost
        case callUID = "call_uid"
    }
}

@Suite("Envelope")
struct EnvelopeTests {
    let company = CompanyID(UUID(uuidString: "6f1c2b1e-1111-4a5b-9c1d-000000000001")!)
    let eventID = EventID(UUID(uuidString: "6f1c2b1e-2222-4a5b-9c1d-000000000002")!)
    let call = CallID(UUID(uuidString: "6f1c2b1e-3333-4a5b-9c1d-000000000003")!)

    func sample() throws -> Envelope<SampleHappened> {
        Envelope(
            id: eventID, companyID: company, occurredAt: Timestamp.parse("2026-11-28T10:00:00.123Z")!, correlationID: call.description,
            traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            data: SampleHappened(callUID: call, caller: try PhoneNumber.indian("9876543210").get(), cost: Money(paise: 250)))
    }

    @Test("JSON has the agreed snake_case keys and a millisecond UTC timestamp")
    func wireFormat() throws {
        let data = try JSONCoding.encoder().encode(try sample())
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["id", "type", "version", "company_id", "occurred_at", "correlation_id", "traceparent", "data"])
        #expect(object["id"] as? String == "6f1c2b1e-2222-4a5b-9c1d-000000000002")
        #expect(object["type"] as? String == "sample.happened")
        #expect(object["version"] as? Int == 1)
        #expect(object["occurred_at"] as? String == "2026-11-28T10:00:00.123Z")
        let payload = try #require(object["data"] as? [String: Any])
        #expect(payload["call_uid"] as? String == call.description)
        #expect(payload["caller"] as? String == "+919876543210")
        #expect(payload["cost"] as? Int == 250)
    }

    @Test("round trip keeps every field, and the header reads without the payload type")
    func roundTrip() throws {
        let envelope = try sample()
        let encoded = try EncodedEnvelope(envelope)
        let decoded = try encoded.decode(SampleHappened.self)
        #expect(decoded.id == envelope.id)
        #expect(decoded.companyID == company)
        #expect(decoded.occurredAt == envelope.occurredAt)
        #expect(decoded.correlationID == call.description)
        #expect(decoded.data.callUID == call)
        #expect(decoded.data.cost == Money(paise: 250))
        let received = try EncodedEnvelope(body: encoded.body)
        #expect(received.header == envelope.header)
    }

    @Test("an envelope of a version the reader does not know is unreadable, not read under the old meaning")
    func versionIsChecked() throws {
        let body = try EncodedEnvelope(try sample()).body
        let text = String(decoding: body, as: UTF8.self)
        #expect(try EncodedEnvelope(body: body).decode(SampleHappened.self).version == 1)
        let bumped = text.replacingOccurrences(of: #""version":1"#, with: #""version":2"#)
        #expect(bumped != text)
        #expect(throws: DecodingError.self) { try EncodedEnvelope(body: Array(bumped.utf8)).decode(SampleHappened.self) }
    }

    @Test("readers ignore unknown fields and accept timestamps without milliseconds")
    func tolerantReader() throws {
        let json = """
            {"id":"\(eventID)","type":"sample.happened","version":1,"company_id":"\(company)","occurred_at":"2026-11-28T10:00:00Z",
             "new_field":true,"data":{"call_uid":"\(call)","caller":"+919876543210","cost":1,"extra":[1,2]}}
            """
        let envelope = try EncodedEnvelope(body: Array(json.utf8)).decode(SampleHappened.self)
        #expect(envelope.correlationID == nil)
        #expect(envelope.occurredAt == Timestamp.parse("2026-11-28T10:00:00.000Z"))
    }

    @Test("CR-59, CR-75: call.completed written before recording_available_at and masked decodes without them; with a recording it says when it plays")
    func callCompletedAcrossReleases() throws {
        let ended = Timestamp.parse("2026-11-28T10:05:00.000Z")!
        let earlier = """
            {"id":"\(eventID)","type":"call.completed","version":1,"company_id":"\(company)","occurred_at":"2026-11-28T10:05:00.000Z",
             "data":{"uid":"\(call)","direction":"inbound","did":"+918069000001","did_type":"virtual","customer":"+919876543210",
                     "outcome":"connected","not_reachable":false,"ended_at":"2026-11-28T10:05:00.000Z","billable_seconds":60,
                     "recording_url":"https://rec.example/a.mp3"}}
            """
        let old = try EncodedEnvelope(body: Array(earlier.utf8)).decode(CallCompleted.self).data
        #expect(old.recordingURL == "https://rec.example/a.mp3")
        #expect(old.recordingAvailableAt == nil)
        #expect(old.masked == nil)
        let fresh = CallCompleted(
            uid: call, direction: .inbound, did: try PhoneNumber.indian("8069000001").get(), didType: .virtual, customer: nil, outcome: .connected,
            pickedUpAt: nil, endedAt: ended, billableSeconds: 60, recordingURL: "https://rec.example/a.mp3",
            recordingAvailableAt: ended.addingTimeInterval(120))
        let json = String(decoding: try JSONCoding.encoder().encode(fresh), as: UTF8.self)
        #expect(json.contains(#""recording_available_at":"2026-11-28T10:07:00.000Z""#), "\(json)")
        let without = CallCompleted(
            uid: call, direction: .inbound, did: try PhoneNumber.indian("8069000001").get(), didType: .virtual, customer: nil, outcome: .missed,
            pickedUpAt: nil, endedAt: ended, billableSeconds: 0, recordingAvailableAt: ended)
        #expect(without.recordingAvailableAt == nil, "no recording, no time")
    }

    @Test("BI-10: a call.completed billing more than a week, or less than nothing, is unreadable (dead-lettered), not rated into an overflow")
    func callCompletedBillableBound() throws {
        func body(_ seconds: String) -> [UInt8] {
            Array("""
                {"id":"\(eventID)","type":"call.completed","version":1,"company_id":"\(company)","occurred_at":"2026-11-28T10:05:00.000Z",
                 "data":{"uid":"\(call)","direction":"inbound","did":"+918069000001","did_type":"virtual","outcome":"connected",
                         "not_reachable":false,"ended_at":"2026-11-28T10:05:00.000Z","billable_seconds":\(seconds)}}
                """.utf8)
        }
        #expect(try EncodedEnvelope(body: body("604800")).decode(CallCompleted.self).data.billableSeconds == 604_800)
        #expect(try EncodedEnvelope(body: body("0")).decode(CallCompleted.self).data.billableSeconds == 0)
        for absurd in ["604801", "9223372036854775807", "-1"] {
            #expect(throws: DecodingError.self, "\(absurd)") { try EncodedEnvelope(body: body(absurd)).decode(CallCompleted.self) }
        }
    }

    @Test("call.completed with every field filled survives a round trip: its hand-written decoder reads every field it writes")
    func callCompletedRoundTrip() throws {
        let ended = Timestamp.parse("2026-11-28T10:05:00.000Z")!
        let full = CallCompleted(
            uid: call, direction: .outbound, did: try PhoneNumber.indian("8069000001").get(), didType: .tollFree,
            customer: try PhoneNumber.indian("9876543210").get(), agentID: UserID(), departmentID: DepartmentID(),
            outcome: .connected, notReachable: true, pickedUpAt: ended.addingTimeInterval(-90), endedAt: ended, billableSeconds: 90,
            recordingURL: "https://rec.example/a.mp3", recordingAvailableAt: ended.addingTimeInterval(120), missedCallService: true,
            masked: true)
        // A field added later and left out of this sample would pass unseen; an empty optional fails here instead.
        for field in Mirror(reflecting: full).children {
            let value = Mirror(reflecting: field.value)
            #expect(value.displayStyle != .optional || !value.children.isEmpty, "fill \(field.label ?? "?") in so the round trip covers it")
        }
        let written = try JSONCoding.encoder().encode(full)
        let rewritten = try JSONCoding.encoder().encode(try JSONCoding.decoder().decode(CallCompleted.self, from: written))
        let before = try #require(try JSONSerialization.jsonObject(with: written) as? NSDictionary)
        let after = try #require(try JSONSerialization.jsonObject(with: rewritten) as? NSDictionary)
        #expect(before.count == 16)
        #expect(after == before, "\(after) != \(before)")
    }

    @Test("a body that is not an envelope is refused")
    func refusesGarbage() {
        #expect(throws: (any Error).self) { try EncodedEnvelope(body: Array("not json".utf8)) }
        #expect(throws: (any Error).self) { try EncodedEnvelope(body: Array(#"{"id":"x","type":"a.b"}"#.utf8)) }
    }

    @Test("typed ids encode as lowercase UUID strings and refuse other text")
    func typedIDs() throws {
        let data = try JSONCoding.encoder().encode([company])
        #expect(String(decoding: data, as: UTF8.self) == #"["6f1c2b1e-1111-4a5b-9c1d-000000000001"]"#)
        #expect(CompanyID("not-a-uuid") == nil)
        #expect(throws: DecodingError.self) { try JSONCoding.decoder().decode([CompanyID].self, from: Data(#"["nope"]"#.utf8)) }
    }

    @Test("topic patterns match like RabbitMQ's topic exchange")
    func routingPatterns() {
        #expect(RoutingPattern("call.*").matches(.callCompleted))
        #expect(!RoutingPattern("call.*").matches("call.a.b"))
        #expect(RoutingPattern("billing.#").matches(.billingAccountSuspended))
        #expect(RoutingPattern("billing.#").matches("billing"))
        #expect(!RoutingPattern("billing.account.*").matches(.billingBalanceLow))
        #expect(RoutingPattern("#").matches("anything.at.all"))
        #expect(RoutingPattern(.callLost).matches(.callLost))
    }
}

@Suite("Fast text forms")
struct FastTextTests {
    @Test("timestamps written by hand match Foundation's ISO-8601 and read back exactly, across leap days and years")
    func timestamps() throws {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
        for seconds in [0.0, 951_782_400.5, 1_709_164_799.25, 1_795_000_000.125, 4_102_444_800.0, 1_234.75] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Timestamp.format(date) == style.format(date))
            #expect(Timestamp.parse(Timestamp.format(date)) == date)
        }
        for text in ["2026-11-18T11:06:40.123Z", "1999-12-31T23:59:59.999Z", "2024-02-29T00:00:00.001Z"] {
            #expect(Timestamp.format(Timestamp.parse(text)!) == text)
            let foundation = try #require(try? style.parse(text))
            #expect(abs(Timestamp.parse(text)!.timeIntervalSince(foundation)) < 0.000_001)
        }
        #expect(Timestamp.parse("2024-02-29T23:59:59Z") == Date(timeIntervalSince1970: 1_709_251_199))
        #expect(Timestamp.parse("2026-11-28T15:30:00.000+05:30") == Timestamp.parse("2026-11-28T10:00:00.000Z"))
        #expect(Timestamp.parse("yesterday") == nil)
        // Impossible dates and times are refused, not rolled over into the next month or minute.
        for impossible in ["2026-02-30T10:00:00Z", "2025-02-29T10:00:00.000Z", "2026-04-31T10:00:00Z", "2026-11-28T23:59:60Z",
                           "2026-11-28T24:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z"] {
            #expect(Timestamp.parse(impossible) == nil, "\(impossible)")
        }
    }

    @Test("timestamps outside the years 1 to 9999 are refused: postgres-nio traps encoding year 300000, which Foundation parses")
    func timestampRange() throws {
        for far in ["300000-01-01T00:00:00Z", "300000-01-01T00:00:00.000Z", "294277-01-05T00:00:00Z", "10000-01-01T00:00:00Z",
                    "0000-12-31T23:59:59.999Z", "0000-06-01T00:00:00+00:00", "300000-01-01T00:00:00+05:30"] {
            #expect(Timestamp.parse(far) == nil, "\(far)")
        }
        #expect(Timestamp.parse("0001-01-01T00:00:00.000Z") == Date(timeIntervalSince1970: -62_135_596_800))
        #expect(Timestamp.parse("9999-12-31T23:59:59.999Z") == Date(timeIntervalSince1970: 253_402_300_799.999))
        #expect(Timestamp.parse("9999-12-31T23:59:59Z") != nil)
        // The JSON dialect reads dates through the same parser, so a body or an envelope cannot carry one either.
        struct Stamped: Decodable { var at: Date }
        #expect(throws: DecodingError.self) { try JSONCoding.decoder().decode(Stamped.self, from: Data(#"{"at":"300000-01-01T00:00:00Z"}"#.utf8)) }
    }

    @Test("ids are written lowercase and read in either case, like Foundation's")
    func uuids() {
        for _ in 0..<100 {
            let uuid = UUID()
            #expect(UUIDText.lowercase(uuid) == uuid.uuidString.lowercased())
            #expect(UUIDText.parse(uuid.uuidString) == uuid)
            #expect(UUIDText.parse(uuid.uuidString.lowercased()) == uuid)
        }
        #expect(UUIDText.parse("not-a-uuid") == nil)
        #expect(UUIDText.parse("123e4567-e89b-12d3-a456-42661417400g") == nil)
        #expect(UUIDText.parse("123e4567e-89b-12d3-a456-426614174000") == nil)
    }
}

@Suite("Typed id order")
struct TypedIDOrderTests {
    @Test("ids sort like their canonical text, which is PostgreSQL's uuid order")
    func order() {
        let ids = (0..<200).map { _ in CompanyID() }
        #expect(ids.sorted().map(\.description) == ids.map(\.description).sorted())
    }
}

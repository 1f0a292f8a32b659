import Contracts
import Foundation
import Testing

@Suite("UUID generation")
struct UUIDGenerationTests {
    private func bytes(_ uuid: UUID) -> [UInt8] { withUnsafeBytes(of: uuid.uuid) { Array($0) } }

    @Test("time-ordered ids are version 7 with the RFC 9562 variant and carry the millisecond in their first 48 bits")
    func timeOrderedLayout() {
        let date = Date(timeIntervalSince1970: 1_764_489_600.125)  // 2025-11-30T00:00:00.125Z, exact in binary
        let id = bytes(UUID.timeOrdered(at: date))
        let milliseconds = id[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds == 1_764_489_600_125)
        #expect(id[6] >> 4 == 7)
        #expect(id[8] >> 6 == 0b10)
    }

    @Test("event ids made later sort later, byte for byte as PostgreSQL orders uuid values")
    func timeOrderedSorts() {
        let start = Date(timeIntervalSince1970: 1_764_489_600)
        // Two milliseconds apart and half a millisecond in, so that no two fall into the same millisecond by rounding.
        let ids = (0..<1_000).map { EventID.timeOrdered(at: start.addingTimeInterval(Double($0) * 0.002 + 0.0005)) }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
        // Within one millisecond the random bits still keep them apart.
        let same = (0..<10_000).map { _ in UUID.timeOrdered(at: start) }
        #expect(Set(same).count == same.count)
    }

    @Test("random ids are version 4 with the RFC 9562 variant, and new typed ids and envelopes use the fast generators")
    func randomLayout() {
        let id = bytes(UUID.random())
        #expect(id[6] >> 4 == 4)
        #expect(id[8] >> 6 == 0b10)
        #expect(bytes(CompanyID().uuid)[6] >> 4 == 4)
        let envelope = Envelope(companyID: CompanyID(), data: Probe(value: 1))
        #expect(bytes(envelope.id.uuid)[6] >> 4 == 7)
        let ids = (0..<10_000).map { _ in UUID.random() }
        #expect(Set(ids).count == ids.count)
    }
}

private struct Probe: Event {
    static let type: EventType = "test.probe"
    var value: Int
}

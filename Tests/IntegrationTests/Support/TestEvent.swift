import Contracts
import Foundation

/// The payload the integration tests send around; `sequence` makes every event's effect identifiable.
struct Numbered: Event {
    static let type: EventType = "it.numbered"
    var sequence: Int
    var poison: Bool

    init(sequence: Int, poison: Bool = false) {
        self.sequence = sequence
        self.poison = poison
    }
}

/// Envelopes of `Numbered` under a test's own routing key, so concurrent tests never share messages.
func numberedEnvelopes(_ range: Range<Int>, routingKey: String, company: CompanyID = CompanyID()) throws -> [EncodedEnvelope] {
    let encoder = JSONCoding.encoder()
    return try range.map { sequence in
        var envelope = Envelope(companyID: company, correlationID: "seq-\(sequence)", data: Numbered(sequence: sequence))
        envelope.type = EventType(rawValue: routingKey)
        return try EncodedEnvelope(envelope, encoder: encoder)
    }
}

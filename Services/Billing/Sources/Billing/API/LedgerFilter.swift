import Contracts
import Foundation
import Hummingbird
import PostgresNIO
import ServiceKit
import Storage

/// GET /v1/billing/ledger filters: `kind`, `from`, `to` (ISO-8601), `limit` (1–500, default 100), `before` (cursor).
struct LedgerFilter {
    var kind: String?
    var from: Date?
    var to: Date?
    var limit = 100
    var before: Int64?

    init(query: Parameters) throws {
        kind = query.get("kind")
        if let kind, kind.count > 64 || TextRules.hasControlCharacters(kind) {
            throw APIError.badRequest("request.field_invalid", "kind is a ledger kind such as recharge or did_rental.", field: "kind")
        }
        if let text = query.get("from") {
            guard let date = Timestamp.parse(text) else { throw Self.invalid("from") }
            from = date
        }
        if let text = query.get("to") {
            guard let date = Timestamp.parse(text) else { throw Self.invalid("to") }
            to = date
        }
        if let text = query.get("limit") {
            guard let value = Int(text), (1...500).contains(value) else {
                throw APIError.badRequest("request.field_invalid", "limit must be a whole number from 1 to 500.", field: "limit")
            }
            limit = value
        }
        if let text = query.get("before") {
            guard let value = Int64(text) else { throw APIError.badRequest("request.field_invalid", "before must be a cursor from next.", field: "before") }
            before = value
        }
    }

    private static func invalid(_ field: String) -> APIError {
        .badRequest("request.field_invalid", "\(field) must be an ISO-8601 timestamp such as 2026-11-01T00:00:00Z.", field: field)
    }
}

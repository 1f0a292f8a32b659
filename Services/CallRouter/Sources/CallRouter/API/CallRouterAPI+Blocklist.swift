import Contracts
import Foundation
import Hummingbird
import ServiceKit
import Storage

extension CallRouterAPI {
    /// CR-63: block a caller with a short reason; their next call is rejected before the IVR.
    @Sendable func block(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<BlockedNumberView> {
        let identity = try await authorize(context, "blocklist.manage", roles: Self.managerRoles)
        let body = try await request.decode(as: BlockRequest.self, context: context)
        let number = try TextRules.phone(body.number, field: "number")
        try TextRules.check(body.reason, field: "reason", max: 200, code: "blocklist.reason.invalid")
        let entry = try await database.withTransaction { transaction in
            try await BlocklistStore.add(
                BlockedNumber(number: number, reason: body.reason, blockedBy: identity.userID, createdAt: Date()), company: identity.companyID,
                in: transaction)
        }
        return EditedResponse(status: .created, response: BlockedNumberView(entry))
    }

    @Sendable func unblock(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try await authorize(context, "blocklist.manage", roles: Self.managerRoles).companyID
        let number = try Self.number(context)
        guard try await database.withTransaction({ try await BlocklistStore.remove(number, company: company, in: $0) }) else {
            throw APIError.notFound("blocked_number")
        }
        return Response(status: .noContent)
    }

    /// CR-64: search by part of the number or the reason (`q`).
    @Sendable func blocklist(_ request: Request, context: AppRequestContext) async throws -> Page<BlockedNumberView> {
        let company = try await authorize(context, "blocklist.read", roles: Self.managerRoles).companyID
        let query = request.uri.queryParameters
        let search = try Self.search(query["q"].map(String.init))
        let limit = try Self.limit(query["limit"].map(String.init))
        let list = try await database.withTransaction { try await BlocklistStore.list(company: company, search: search, limit: limit, in: $0) }
        return Page(items: list.map(BlockedNumberView.init), next: nil)
    }

    /// CR-64: the whole blocklist as CSV.
    @Sendable func exportBlocklist(_ request: Request, context: AppRequestContext) async throws -> Response {
        let company = try await authorize(context, "blocklist.export", roles: Self.managerRoles).companyID
        let list = try await database.withTransaction { try await BlocklistStore.list(company: company, search: nil, limit: 100_000, in: $0) }
        var text = CSV.row(["Number", "Reason", "Blocked By", "Blocked At"])
        for entry in list {
            text += CSV.row([entry.number.e164, entry.reason, entry.blockedBy?.description ?? "", Timestamp.format(entry.createdAt)])
        }
        return CSV.response(text, filename: "blocklist.csv")
    }

    static func search(_ text: String?) throws -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard text.count <= 50, !TextRules.hasControlCharacters(text) else {
            throw APIError.badRequest("request.query_invalid", "The search text has at most 50 printable characters.", field: "q")
        }
        return text
    }

    static func limit(_ text: String?, default value: Int = 100) throws -> Int {
        guard let text else { return value }
        guard let limit = Int(text), (1...1000).contains(limit) else {
            throw APIError.badRequest("request.query_invalid", "The limit is a number from 1 to 1000.", field: "limit")
        }
        return limit
    }
}

import AsyncHTTPClient
import Contracts
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import ServiceKit

/// Billing's wallet API (D-15, BI-07) as Campaigns calls it. Requests carry a token for the company: the caller's own
/// when a person schedules, a short-lived service token when the scheduler runs a campaign.
struct BillingClient: Sendable {
    let http: HTTPClient
    let baseURL: String
    let tokens: TokenVerifier

    enum Failure: Error, Equatable {
        /// 402: the wallet cannot cover it (`INSUFFICIENTBALANCE`, `account.suspended`).
        case insufficient(code: String, message: String)
        /// Another 4xx: Billing refuses the request as asked (e.g. no rate card); asking again will not help.
        case refused(code: String, message: String)
        /// Billing is down or answered something unexpected; try again later.
        case unavailable(String)

        var apiError: APIError {
            switch self {
            case .insufficient(let code, let message): APIError.paymentRequired(code, message)
            case .refused(let code, let message): APIError.unprocessable("billing.refused", "Billing refused the check (\(code)): \(message)")
            case .unavailable(let reason):
                APIError(.serviceUnavailable, code: "billing.unavailable", message: "The wallet could not be checked (\(reason)); try again.")
            }
        }
    }

    struct Quote: Decodable, Sendable {
        var estimate: Money
        var balance: Money
        var reserved: Money
        var sufficient: Bool
    }

    struct Reservation: Decodable, Sendable {
        var id: String
        var amount: Money
        var status: String
    }

    struct Account: Decodable, Sendable {
        var balance: Money
        var reserved: Money?
        var status: String
    }

    /// CA-39 stage one.
    func quote(company: CompanyID, recipients: Int, category: WhatsAppConversationOpened.Category) async throws(Failure) -> Quote {
        try await call("quote", company: company, body: ["recipients": .int(recipients), "category": .text(category.rawValue)])
    }

    /// CA-39 stage two, D-15. `reference` makes the hold idempotent: asking again for the same campaign returns
    /// the hold already made (a scheduler that died after reserving does not hold twice). A day is ample for a
    /// campaign to be handed to the provider; a hold orphaned by a crash lapses after it.
    /// nil when the category costs nothing (BI-14: service conversations): there is nothing to hold.
    func reserve(
        company: CompanyID, recipients: Int, category: WhatsAppConversationOpened.Category, reference: String
    ) async throws(Failure) -> Reservation? {
        guard category != .service else { return nil }
        return try await call(
            "reservations", company: company,
            body: ["recipients": .int(recipients), "category": .text(category.rawValue), "reference": .text(reference), "expires_in_seconds": .int(86_400)])
    }

    /// D-15: conversations are charged as the provider reports them (`whatsapp.conversation.opened`), so the hold is
    /// only released when the campaign ends. Releasing twice is fine; a hold already captured (409) is settled too.
    func release(company: CompanyID, reservation: String) async throws(Failure) {
        let (status, _) = try await exchange("reservations/\(reservation)/release", company: company, body: [:])
        guard (200..<300).contains(status) || status == 409 || status == 404 else {
            throw Failure.unavailable("Billing answered HTTP \(status) to a release")
        }
    }

    /// BI-07: the wallet right now.
    func account(company: CompanyID) async throws(Failure) -> Account {
        try await call("account", company: company, body: nil)
    }

    private enum Value: Encodable {
        case int(Int)
        case text(String)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .int(let value): try container.encode(value)
            case .text(let value): try container.encode(value)
            }
        }
    }

    private func call<Reply: Decodable>(_ path: String, company: CompanyID, body: [String: Value]?) async throws(Failure) -> Reply {
        let (status, data) = try await exchange(path, company: company, body: body)
        if (200..<300).contains(status) {
            do { return try JSONCoding.decoder().decode(Reply.self, from: data) } catch {
                throw Failure.unavailable("Billing's answer to \(path) could not be read: \(error)")
            }
        }
        let error = try? JSONDecoder().decode(ErrorReply.self, from: data)
        if status == 402 {
            throw Failure.insufficient(code: error?.error.code ?? "INSUFFICIENTBALANCE", message: error?.error.message ?? "Insufficient balance.")
        }
        if (400..<500).contains(status) && status != 408 && status != 429 {
            throw Failure.refused(code: error?.error.code ?? "http.\(status)", message: error?.error.message ?? "Billing answered HTTP \(status).")
        }
        throw Failure.unavailable("Billing answered HTTP \(status) to \(path)")
    }

    private func exchange(_ path: String, company: CompanyID, body: [String: Value]?) async throws(Failure) -> (Int, Data) {
        do {
            let token = try await tokens.token(for: Identity(userID: UserID(), companyID: company, role: .admin), expiresIn: 300)
            var request = HTTPClientRequest(url: "\(baseURL)/v1/billing/\(path)")
            request.method = body == nil ? .GET : .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
            }
            let response = try await http.execute(request, timeout: .seconds(10))
            let data = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
            return (Int(response.status.code), data)
        } catch {
            throw Failure.unavailable("Billing could not be reached: \(error)")
        }
    }

    private struct ErrorReply: Decodable {
        struct Body: Decodable {
            var code: String
            var message: String
        }
        var error: Body
    }
}

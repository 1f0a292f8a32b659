import Contracts
import Foundation
import FoundationNetworking
import ServiceKit
import Testing

/// HTTP against a service under test: JSON in, status and body out.
struct ServiceClient: Sendable {
    let base: URL
    let jwtSecret: String

    struct Reply: Sendable {
        let status: Int
        let body: Data
        let headers: [String: String]

        var text: String { String(decoding: body, as: UTF8.self) }

        func json() throws -> [String: any Sendable] {
            try #require(try JSONSerialization.jsonObject(with: body) as? [String: any Sendable], "not a JSON object: \(text)")
        }

        func errorCode() throws -> String? { (try json()["error"] as? [String: any Sendable])?["code"] as? String }
    }

    func token(_ company: CompanyID, user: UserID = UserID(), role: Role = .owner) async throws -> String {
        try await TokenVerifier(secret: jwtSecret).token(for: Identity(userID: user, companyID: company, role: role))
    }

    func call(_ method: String, _ path: String, token: String? = nil, json: String? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: base.absoluteString + path)!)
        request.httpMethod = method
        // A request that never gets an answer fails the test instead of hanging it.
        request.timeoutInterval = 30
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http?.allHeaderFields ?? [:] {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        return Reply(status: http?.statusCode ?? 0, body: data, headers: fields)
    }

    func call(_ method: String, _ path: String, as company: CompanyID, user: UserID = UserID(), role: Role = .owner, json: String? = nil) async throws -> Reply {
        try await call(method, path, token: try await token(company, user: user, role: role), json: json)
    }
}

import AsyncHTTPClient
import Contracts
import Foundation
import NIOCore
import NIOHTTP1
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
        // As identity providers issue them, with `iat` (CallRouter refuses a removed user's tokens issued before the removal).
        try await TokenVerifier(secret: jwtSecret).token(for: Identity(userID: user, companyID: company, role: role), issuedAt: Date())
    }

    func call(
        _ method: String, _ path: String, token: String? = nil, json: String? = nil, headers: [String: String] = [:], within timeout: Duration = .seconds(30)
    ) async throws -> Reply {
        try await send(method, path, token: token, body: json.map { Data($0.utf8) }, contentType: "application/json", headers: headers, within: timeout)
    }

    /// Through AsyncHTTPClient: URLSession on Linux can trap when a request fails while in flight, as requests to a
    /// service that is stopping do (swift-corelibs-foundation's TaskRegistry), which would end the whole test run.
    func send(
        _ method: String, _ path: String, token: String? = nil, body: Data? = nil, contentType: String = "application/json",
        headers: [String: String] = [:], within timeout: Duration = .seconds(30)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: base.absoluteString + path)
        request.method = HTTPMethod(rawValue: method)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "Content-Type", value: contentType)
        }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        // A request that never gets an answer fails the test instead of hanging it.
        let response = try await HTTPClient.shared.execute(request, timeout: .init(timeout))
        let data = try await response.body.collect(upTo: 256 << 20)
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), body: Data(data.readableBytesView), headers: fields)
    }

    func call(_ method: String, _ path: String, as company: CompanyID, user: UserID = UserID(), role: Role = .owner, json: String? = nil) async throws -> Reply {
        try await call(method, path, token: try await token(company, user: user, role: role), json: json)
    }
}

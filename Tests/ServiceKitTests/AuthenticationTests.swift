import Contracts
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing

/// The shared HTTP edge: JWT authentication (D-27, D-28), the JSON error model and the body limit.
@Suite("Authentication and errors")
struct AuthenticationTests {
    static let secret = "test-secret-0123456789-0123456789-abcdef"
    let companyA = CompanyID()
    let companyB = CompanyID()

    struct Echo: Codable, ResponseCodable {
        var name: String
        var count: Int
    }

    func app() async -> some ApplicationProtocol {
        let components = ServiceComponents(authenticatedRoutes: { v1 in
            v1.get("companies/:company_id/ping") { _, context -> String in
                try context.requireCompany(try context.id("company_id", as: CompanyID.self))
                return "pong"
            }
            v1.post("billing/pay") { _, context -> String in
                try context.require("billing.pay", roles: [.owner, .admin, .billing])
                return "paid"
            }
            v1.post("echo") { request, context -> Echo in
                try await request.decode(as: Echo.self, context: context)
            }
            v1.post("collect") { request, _ -> String in
                // As a body without a declared length is read: the limit is found while reading.
                _ = try await request.body.collect(upTo: 16)
                return "collected"
            }
            v1.post("busy") { _, _ -> String in
                throw APIError.unavailable("thing.busy", "Try again.")
            }
        })
        let router = RouterBuilder.build(
            components: components, verifier: await TokenVerifier(secret: Self.secret), readiness: nil, metrics: nil, maxBodyBytes: 2_048)
        return Application(router: router)
    }

    func token(company: CompanyID, role: Role = .owner, secret: String = secret, expiresIn: TimeInterval = 600) async throws -> String {
        try await TokenVerifier(secret: secret).token(
            for: Identity(userID: UserID(), companyID: company, role: role), expiresIn: expiresIn)
    }

    func errorCode(_ response: TestResponse) throws -> (code: String, field: String?) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: [String: String]])
        let error = try #require(object["error"])
        #expect(error["message"]?.isEmpty == false)
        return (try #require(error["code"]), error["field"])
    }

    @Test("no token, a bad signature, an expired or not yet valid token get 401 JSON; 60 s of clock skew are allowed")
    func unauthenticated() async throws {
        let valid = try await token(company: companyA)
        let forged = try await token(company: companyA, secret: "another-secret-9876543210-9876543210-zyx")
        let expired = try await token(company: companyA, expiresIn: -600)
        let verifier = await TokenVerifier(secret: Self.secret)
        let identity = Identity(userID: UserID(), companyID: companyA, role: .owner)
        let notYet = try await verifier.token(for: identity, notBefore: Date().addingTimeInterval(3_600))
        let fromTheFuture = try await verifier.token(for: identity, issuedAt: Date().addingTimeInterval(3_600))
        // Within the 60 s of clock skew allowed between the issuer and us.
        let skewed = try await verifier.token(for: identity, notBefore: Date().addingTimeInterval(30), issuedAt: Date().addingTimeInterval(30))
        let justExpired = try await token(company: companyA, expiresIn: -30)
        try await app().test(.router) { client in
            let cases: [(String?, String)] = [
                (nil, "auth.unauthenticated"), ("Basic abc", "auth.unauthenticated"), ("Bearer \(forged)", "auth.invalid_token"),
                ("Bearer \(expired)", "auth.invalid_token"), ("Bearer not.a.jwt", "auth.invalid_token"),
                ("Bearer \(notYet)", "auth.invalid_token"), ("Bearer \(fromTheFuture)", "auth.invalid_token"),
            ]
            for (header, expectedCode) in cases {
                var headers = HTTPFields()
                if let header { headers[.authorization] = header }
                try await client.execute(uri: "/v1/me", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                    let code = try errorCode(response).code
                    #expect(code == expectedCode)
                }
            }
            try await client.execute(uri: "/v1/me", method: .get, headers: [.authorization: "Bearer \(valid)"]) { response in
                #expect(response.status == .ok)
                let me = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: String]
                #expect(me?["company_id"] == companyA.description)
                #expect(me?["role"] == "owner")
            }
            for token in [skewed, justExpired] {
                try await client.execute(uri: "/v1/me", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                    #expect(response.status == .ok, "within the clock skew")
                }
            }
        }
    }

    @Test("X-01, D-27: the roles are owner, admin, manager, agent and billing; a token naming any other role is refused")
    func x01Roles() async throws {
        #expect(Role.allCases.map(\.rawValue) == ["owner", "admin", "manager", "agent", "billing"])
        // Signed by hand as the IdP would, so that the role claim can be anything.
        func signed(role: String) -> String {
            func part(_ data: Data) -> String {
                data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                    .replacingOccurrences(of: "=", with: "")
            }
            let expiry = Int(Date().timeIntervalSince1970) + 600
            let input = part(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "."
                + part(Data(#"{"sub":"\#(UserID())","company":"\#(companyA)","role":"\#(role)","exp":\#(expiry)}"#.utf8))
            let signature = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(Self.secret.utf8)))
            return input + "." + part(Data(signature))
        }
        let verifier = await TokenVerifier(secret: Self.secret)
        #expect(await verifier.identity(from: signed(role: "agent"))?.role == .agent)
        #expect(await verifier.identity(from: signed(role: "billing"))?.role == .billing)
        for role in ["moderator", "Owner", "", "superadmin"] {
            #expect(await verifier.identity(from: signed(role: role)) == nil, "\(role)")
        }
    }

    @Test("D-28, X-12: another company's token gets 403")
    func otherCompany() async throws {
        let tokenB = try await token(company: companyB)
        try await app().test(.router) { client in
            try await client.execute(uri: "/v1/companies/\(companyA)/ping", method: .get, headers: [.authorization: "Bearer \(tokenB)"]) { response in
                #expect(response.status == .forbidden)
                let code = try errorCode(response).code
                #expect(code == "auth.company_mismatch")
            }
            try await client.execute(uri: "/v1/companies/\(companyB)/ping", method: .get, headers: [.authorization: "Bearer \(tokenB)"]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "pong")
            }
            try await client.execute(uri: "/v1/companies/not-a-uuid/ping", method: .get, headers: [.authorization: "Bearer \(tokenB)"]) { response in
                #expect(response.status == .badRequest)
                let error = try errorCode(response)
                    #expect(error.code == "request.invalid_id" && error.field == "company_id")
            }
        }
    }

    @Test("D-27, X-09: a role outside the route's roles gets 403 naming the permission")
    func roles() async throws {
        let agent = try await token(company: companyA, role: .agent)
        let billing = try await token(company: companyA, role: .billing)
        try await app().test(.router) { client in
            try await client.execute(uri: "/v1/billing/pay", method: .post, headers: [.authorization: "Bearer \(agent)"]) { response in
                #expect(response.status == .forbidden)
                let code = try errorCode(response).code
                #expect(code == "auth.forbidden")
                #expect(String(buffer: response.body).contains("billing.pay"))
            }
            try await client.execute(uri: "/v1/billing/pay", method: .post, headers: [.authorization: "Bearer \(billing)"]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test("bad input gets a 4xx naming the field, never a 500")
    func badInput() async throws {
        let owner = try await token(company: companyA)
        let auth: HTTPFields = [.authorization: "Bearer \(owner)", .contentType: "application/json"]
        try await app().test(.router) { client in
            let cases: [(String, HTTPResponse.Status, String, String?)] = [
                (#"{"name":"a"}"#, .badRequest, "request.field_missing", "count"),
                (#"{"name":"a","count":"x"}"#, .badRequest, "request.field_invalid", "count"),
                ("{not json", .badRequest, "request.invalid_json", nil),
                (#"{"name":"\#(String(repeating: "x", count: 3_000))","count":1}"#, .contentTooLarge, "request.too_large", nil),
            ]
            for (body, status, code, field) in cases {
                try await client.execute(uri: "/v1/echo", method: .post, headers: auth, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == status)
                    let error = try errorCode(response)
                    #expect(error.code == code && error.field == field)
                }
            }
            try await client.execute(uri: "/v1/collect", method: .post, headers: auth, body: ByteBuffer(string: String(repeating: "x", count: 100))) { response in
                #expect(response.status == .contentTooLarge)
                let code = try errorCode(response).code
                #expect(code == "request.too_large", "the same code as a body refused by its declared length")
            }
            try await client.execute(uri: "/v1/echo", method: .post, headers: auth, body: ByteBuffer(string: #"{"name":"a","count":2}"#)) { response in
                #expect(response.status == .ok)
                let echo = try JSONDecoder().decode(Echo.self, from: Data(response.body.readableBytesView))
                #expect(echo.name == "a" && echo.count == 2)
            }
            try await client.execute(uri: "/v1/nowhere", method: .get, headers: auth) { response in
                #expect(response.status == .notFound)
                let code = try errorCode(response).code
                #expect(code == "http.404")
            }
        }
    }

    @Test("health and metrics routes need no token")
    func publicRoutes() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/metrics", method: .get) { response in #expect(response.status == .ok) }
        }
    }

    @Test("a 503 tells the client to send the request again, with Retry-After")
    func unavailable() async throws {
        let auth: HTTPFields = [.authorization: "Bearer \(try await token(company: companyA))"]
        try await app().test(.router) { client in
            try await client.execute(uri: "/v1/busy", method: .post, headers: auth) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "1")
                let code = try errorCode(response).code
                #expect(code == "thing.busy")
            }
        }
    }
}

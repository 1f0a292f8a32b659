import Contracts
import Foundation
public import HTTPTypes
public import Hummingbird

/// The JSON error every API answers with: `{"error":{"code":"…","message":"…","field":"…"}}`.
/// `code` is stable for programs, `message` is for people, `field` names the offending input when there is one.
public struct APIError: HTTPResponseError, Sendable, Equatable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let field: String?
    /// Every problem found when a whole document is checked at once (a call flow, a template), so a client can fix
    /// them all in one go. `field` then names the document and each violation's `field` the exact place.
    public let violations: [Violation]?
    /// Seconds after which the same request is expected to succeed (`Retry-After`).
    public var retryAfter: Int?

    public struct Violation: Codable, Equatable, Sendable {
        public var code: String
        public var field: String
        public var message: String

        public init(code: String, field: String, message: String) {
            self.code = code
            self.field = field
            self.message = message
        }
    }

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil, violations: [Violation]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.violations = violations
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = Self.response(status: status, body: ErrorBody(error: .init(code: code, message: message, field: field, violations: violations)))
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    static func response(status: HTTPResponse.Status, body: ErrorBody) -> Response {
        let data = (try? JSONCoding.encoder().encode(body)) ?? Data(#"{"error":{"code":"internal","message":"internal error"}}"#.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct ErrorBody: Codable, Equatable {
        struct Detail: Codable, Equatable {
            var code: String
            var message: String
            var field: String?
            var violations: [Violation]?
        }
        var error: Detail
    }
}

extension APIError {
    /// A body over the limit, whether its declared length said so or reading it found out.
    static func tooLarge(_ maxBytes: Int) -> APIError {
        APIError(.contentTooLarge, code: "request.too_large", message: "The request body is larger than \(maxBytes) bytes.")
    }

    public static func badRequest(_ code: String, _ message: String, field: String? = nil) -> APIError {
        APIError(.badRequest, code: code, message: message, field: field)
    }

    public static func unprocessable(_ code: String, _ message: String, field: String? = nil) -> APIError {
        APIError(.unprocessableContent, code: code, message: message, field: field)
    }

    public static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "\(what).not_found", message: "No \(what.replacingOccurrences(of: "_", with: " ")) with that id in your company.")
    }

    /// D-27: 403 naming the permission the caller's role lacks, with why when the rule is more than the role.
    public static func accessDenied(_ role: Role, lacks permission: String, because reason: String? = nil, field: String? = nil) -> APIError {
        APIError(
            .forbidden, code: "auth.forbidden",
            message: "Access Denied: the \(role.rawValue) role lacks the permission \(permission)." + (reason.map { " \($0)" } ?? ""), field: field)
    }

    /// 403 for a rule about who may do what (the role check itself is `AppRequestContext.require`).
    public static func forbidden(_ code: String, _ message: String, field: String? = nil) -> APIError {
        APIError(.forbidden, code: code, message: message, field: field)
    }

    public static func conflict(_ code: String, _ message: String, field: String? = nil) -> APIError {
        APIError(.conflict, code: code, message: message, field: field)
    }

    /// 402: the wallet cannot pay for what was asked (BI-06 `INSUFFICIENTBALANCE`, D-09 `account.suspended`).
    public static func paymentRequired(_ code: String, _ message: String, field: String? = nil) -> APIError {
        APIError(.init(code: 402, reasonPhrase: "Payment Required"), code: code, message: message, field: field)
    }

    /// 503 with `Retry-After: 1`: what the request asked for was not done, and the same request sent again is expected
    /// to succeed.
    public static func unavailable(_ code: String, _ message: String) -> APIError {
        var error = APIError(.serviceUnavailable, code: code, message: message)
        error.retryAfter = 1
        return error
    }

    public static let unauthenticated = APIError(
        .unauthorized, code: "auth.unauthenticated", message: "Send a valid bearer token in the Authorization header.")
}


extension Request {
    /// The value of a request header by name (case-insensitive), for headers HTTPTypes has no constant for.
    public func header(_ name: String) -> String? {
        HTTPField.Name(name).flatMap { headers[$0] }
    }
}

extension Response {
    /// Sets a header by name, for headers HTTPTypes has no constant for.
    public mutating func setHeader(_ name: String, _ value: String) {
        if let field = HTTPField.Name(name) { headers[field] = value }
    }
}

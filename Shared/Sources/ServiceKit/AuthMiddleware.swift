public import Hummingbird
import HTTPTypes
import Logging

/// Requires `Authorization: Bearer <JWT>` and puts the caller's identity in the context; 401 JSON otherwise.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let verifier: TokenVerifier

    public init(verifier: TokenVerifier) { self.verifier = verifier }

    public func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw APIError.unauthenticated
        }
        guard let identity = await verifier.identity(from: String(header.dropFirst(7))) else {
            throw APIError(.unauthorized, code: "auth.invalid_token", message: "The bearer token is invalid or has expired.")
        }
        var context = context
        context.identity = identity
        context.logger[metadataKey: "company_id"] = "\(identity.companyID)"
        context.logger[metadataKey: "user_id"] = "\(identity.userID)"
        return try await next(request, context)
    }
}

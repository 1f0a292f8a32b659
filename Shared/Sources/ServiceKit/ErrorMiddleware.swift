public import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import Storage

/// Turns every error into the JSON error model. Client errors keep their status; a unique violation from
/// PostgreSQL is a 409; text it cannot store (a NUL byte) a 400, or cannot index (too long) a 422; a transaction it
/// aborted for colliding with another, or a database that cannot be reached, a 503 with `Retry-After`; anything
/// unexpected is logged and answered with a bare 500 that leaks nothing.
public struct ErrorMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    /// Nothing the request did: the same request is expected to succeed once the database answers again.
    static let databaseUnavailable = APIError.unavailable("database.unavailable", "The database is not reachable right now; try again shortly.")

    public init() {}

    public func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            return try APIError.conflict("resource.conflict", "A resource with the same unique value already exists.")
                .response(from: request, context: context)
        } catch let error as PSQLError where error.isTransactionConflict {
            // Rolled back whole, so the client may send it again as it was.
            return try APIError.unavailable("database.conflict", "The request collided with another one and was undone; send it again.")
                .response(from: request, context: context)
        } catch let error as PSQLError where error.meansDatabaseUnavailable || [.connectionError, .serverClosedConnection].contains(error.code) {
            return try Self.databaseUnavailable.response(from: request, context: context)
        } catch is DatabaseSessionClosed {
            return try Self.databaseUnavailable.response(from: request, context: context)
        } catch let error as PSQLError where ["57014", "55P03"].contains(error.serverInfo?[.sqlState]) {
            // The statement limit or a lock wait ran out (behind a long migration, say): undone, and worth sending again.
            return try APIError.unavailable("database.timeout", "The request waited too long in the database and was undone; try again shortly.")
                .response(from: request, context: context)
        } catch let error as PSQLError where ["22021", "22P05"].contains(error.serverInfo?[.sqlState]) {
            // A NUL byte (or text PostgreSQL cannot store) in a query parameter or a field no edge check covered: the
            // statement failed, so nothing was written.
            return try APIError.badRequest(
                "request.invalid_text", "The request holds a character that cannot be stored, such as a NUL byte; remove it and send it again.")
                .response(from: request, context: context)
        } catch let error as PSQLError
            where error.serverInfo?[.sqlState] == "54000" && error.serverInfo?[.message]?.hasPrefix("index row") == true
        {
            // A text no edge check stopped that is too long for the index behind its column (~2,700 bytes): the statement
            // failed, so it was not stored. Logged, so that the field missing its edge check gets one. PostgreSQL's other
            // size limits (an array, a statement of ours) stay a 500: they need not be the request's.
            context.logger.warning("request refused by the database as too long", metadata: ["error": "\(String(reflecting: error))"])
            return try APIError.unprocessable("request.value_too_long", "A text in the request is too long to be stored; shorten it.")
                .response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            // A body without a declared length that outgrew the limit while it was read (`BodyLimitMiddleware`).
            return try APIError.tooLarge(context.maxUploadSize).response(from: request, context: context)
        } catch let error as HTTPError {
            return try APIError(error.status, code: "http.\(error.status.code)", message: error.body ?? error.status.reasonPhrase)
                .response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let status = error.status
            return try APIError(status, code: "http.\(status.code)", message: status.reasonPhrase).response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            return try APIError(.internalServerError, code: "internal", message: "Something went wrong on our side; it has been logged.")
                .response(from: request, context: context)
        }
    }
}

/// Refuses bodies larger than the limit by their declared length before reading them (413), and sets the
/// limit that decoding enforces on bodies without a length.
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let maxBytes: Int

    public init(maxBytes: Int) { self.maxBytes = maxBytes }

    public func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw APIError.tooLarge(maxBytes)
        }
        var context = context
        context.maxUploadSize = maxBytes
        return try await next(request, context)
    }
}

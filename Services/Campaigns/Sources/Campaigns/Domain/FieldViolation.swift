import ServiceKit

/// A rule a request's value breaks, found by a domain check that knows nothing of HTTP: the stable code, the path of
/// the offending field, and what a person should do. The API answers it as 422.
struct FieldViolation: Error, Equatable, Sendable {
    var code: String
    var field: String
    var message: String

    var apiError: APIError { APIError.unprocessable(code, message, field: field) }
}

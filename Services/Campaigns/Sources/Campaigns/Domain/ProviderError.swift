import Foundation

/// What a failed Cloud API request means for the recipient (D-17, issue 5 point 5).
enum SendFailure: Sendable, Equatable {
    /// Throttled (130429, 80007, 131056) or the provider is unwell (its error with a 5xx, 1, 2, 131000, a bare 503,
    /// a connection that never opened): try again later.
    case retry(code: String, message: String)
    /// The recipient cannot get this message (invalid number, template not approved, …): fail it with the code.
    case permanent(code: String, message: String)
    /// The request left and no answer came, or a gateway's bare 500, 502 or 504: it may have been delivered. Never
    /// repeated (no message twice); the recipient fails with `send.outcome_unknown`.
    case unknown(message: String)

    static let unknownCode = "send.outcome_unknown"

    /// Meta's error codes that are about rate or capacity and clear by themselves.
    static let throttlingCodes: Set<Int> = [4, 80007, 130429, 131056]
    static let transientCodes: Set<Int> = [1, 2, 131000, 131016]

    /// An answer with Meta's error object is Meta refusing the message, so nothing was sent: retried when the code
    /// or a 5xx says the trouble passes. A bare 429 or 503 is a refusal before the request was taken. Any other bare
    /// 5xx (500, 502, 504) comes from a proxy or gateway that may have passed the request on before failing, so the
    /// outcome is unknown and the message is not repeated (no message twice).
    static func classify(httpStatus: Int, metaCode: Int?, message: String) -> SendFailure {
        if let metaCode {
            if throttlingCodes.contains(metaCode) || transientCodes.contains(metaCode) || httpStatus >= 500 {
                return .retry(code: String(metaCode), message: message)
            }
            return .permanent(code: String(metaCode), message: message)
        }
        if httpStatus == 429 || httpStatus == 503 { return .retry(code: "http.\(httpStatus)", message: message) }
        if httpStatus >= 500 { return .unknown(message: "\(message); the provider may have sent it, so it is not repeated.") }
        return .permanent(code: "http.\(httpStatus)", message: message)
    }

    /// Backoff for the n-th retry (1-based): 200 ms doubling to 10 s. Throttling never drops a message (D-17).
    static func backoff(attempt: Int) -> Duration {
        let milliseconds = min(10_000, 200 << min(attempt - 1, 6))
        return .milliseconds(milliseconds)
    }
}

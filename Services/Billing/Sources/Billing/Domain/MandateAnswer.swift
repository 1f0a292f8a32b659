/// D-19: what the gateway's answer to a mandate charge says about the money, which decides what is done next.
public enum MandateAnswer: Sendable, Equatable {
    /// 2xx: the charge is taken; the capture comes on the webhook.
    case accepted
    /// A 4xx other than 409: the gateway refused it, so nothing was charged and it may be asked again after a wait,
    /// or dropped when no longer needed.
    case refused(status: Int)
    /// No answer (a timeout, a reset connection), a 5xx, or 409 (a request with the same key still being processed):
    /// the mandate may have been charged. Treated like an accepted charge the gateway never confirmed: asked again
    /// with the same idempotency key, which returns that charge if there is one, and never dropped meanwhile. Taken
    /// as refused, it could be dropped while its capture webhook was lost, and a new payment with a new key would
    /// charge the mandate a second time.
    case unclear

    public init(status: Int) {
        switch status {
        case 200..<300: self = .accepted
        case 409: self = .unclear
        case 400..<500: self = .refused(status: status)
        default: self = .unclear
        }
    }
}

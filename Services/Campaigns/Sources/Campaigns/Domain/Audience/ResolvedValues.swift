/// The values one recipient's message is sent with, in template order (CA-35).
struct ResolvedValues: Equatable, Sendable {
    var body: [String]
    var header: String?
    var button: String?
    /// Fields (`body[1]`, `header`, `button`) whose cell was blank with no fallback: they stay "" and the caller
    /// warns, because a blank variable is what CA-31 says misformatted files cause.
    var blankWithoutFallback: [String]
}

/// The `Idempotency-Key` request header: a client's name for one request, so that sending it again after a timeout
/// or a lost answer repeats nothing. 1 to 255 visible ASCII characters (a UUID is the usual choice).
public enum IdempotencyKey {
    public static let maximumLength = 255

    /// The key, nil without the header, or a 400 `request.idempotency_key.invalid` naming the header.
    public static func read(_ header: String?) throws(APIError) -> String? {
        guard let header else { return nil }
        guard (1...maximumLength).contains(header.utf8.count), header.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw APIError.badRequest(
                "request.idempotency_key.invalid", "An Idempotency-Key is 1 to \(maximumLength) visible ASCII characters, such as a UUID.",
                field: "Idempotency-Key")
        }
        return header
    }
}

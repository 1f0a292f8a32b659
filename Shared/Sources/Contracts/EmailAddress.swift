/// The one e-mail check of the platform: something@domain.tld, no spaces, at most 254 characters. Deliverability is
/// the mail provider's business; this only stops typos and garbage at the edge.
public enum EmailAddress {
    public static func isPlausible(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return text.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(" ")
    }
}

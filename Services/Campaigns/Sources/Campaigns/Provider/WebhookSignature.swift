import Crypto
import Foundation

/// Meta signs each webhook body with the app secret: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`.
enum WebhookSignature {
    static func header(for body: some DataProtocol, secret: SymmetricKey) -> String {
        "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: secret).map { String(format: "%02x", $0) }.joined()
    }

    /// Constant-time comparison of the MAC; a missing or malformed header is simply not valid.
    static func isValid(_ header: String?, body: some DataProtocol, secret: SymmetricKey) -> Bool {
        guard let header, header.hasPrefix("sha256="), let mac = bytes(hex: header.dropFirst(7)) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: secret)
    }

    private static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

public import Crypto
public import Foundation

/// HMAC-SHA256 webhook signatures written `sha256=<hex>`: the payment provider's `X-Payment-Signature` and Meta's
/// `X-Hub-Signature-256`. Verification compares in constant time; a missing or malformed header is not valid.
public enum WebhookSignature {
    public static func sign(_ body: Data, key: SymmetricKey) -> String {
        "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: key).map { String(format: "%02x", $0) }.joined()
    }

    public static func verify(_ header: String?, body: Data, key: SymmetricKey) -> Bool {
        guard let header, header.hasPrefix("sha256="), let mac = bytes(hex: header.dropFirst(7)), mac.count == SHA256.byteCount else {
            return false
        }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key)
    }

    private static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.count / 2)
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

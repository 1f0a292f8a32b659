import Foundation

/// A sample of a header's (or a card's) media, as the company uploaded it: where it is, its declared type, its size.
struct MediaSample: Codable, Equatable, Sendable {
    var url: String
    var mimeType: String
    var sizeBytes: Int

    enum CodingKeys: String, CodingKey {
        case url
        case mimeType = "mime_type"
        case sizeBytes = "size_bytes"
    }

    /// The declared type without parameters (`image/png; q=1` → `image/png`), lowercased.
    var normalizedMIMEType: String {
        (mimeType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }

    /// The file extension of the URL's path, lowercased; empty when the URL names no file (a CDN id, say).
    var fileExtension: String {
        guard let path = URLComponents(string: url)?.path, let last = path.split(separator: "/").last,
            let dot = last.lastIndex(of: ".")
        else { return "" }
        return last[last.index(after: dot)...].lowercased()
    }
}

extension MediaSample {
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // Absent parts become values the validator reports (missing URL, unknown type) instead of decoding errors.
        url = try container.decodeIfPresent(String.self, forKey: .url) ?? ""
        mimeType = try container.decodeIfPresent(String.self, forKey: .mimeType) ?? ""
        sizeBytes = try container.decodeIfPresent(Int.self, forKey: .sizeBytes) ?? 0
    }
}

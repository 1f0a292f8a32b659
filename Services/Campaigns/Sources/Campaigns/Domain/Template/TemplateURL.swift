import Foundation

/// The URL checks of template texts and buttons: absolute http(s), and D-10's ban on link shorteners (CA-15).
enum TemplateURL {
    /// D-10
    static let shortenerHosts: Set<String> = [
        "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly", "shorturl.at",
    ]

    /// An absolute `http` or `https` URL with a host.
    static func isAbsoluteHTTP(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return false }
        return true
    }

    /// D-10: a shortener's own host or any subdomain of it (`www.bit.ly`), in any case.
    static func isShortener(host: String) -> Bool {
        var host = host.lowercased()
        while host.hasSuffix(".") { host.removeLast() }
        return shortenerHosts.contains { host == $0 || host.hasSuffix("." + $0) }
    }

    /// The host of something written as a URL, even one URLComponents refuses (`bit.ly/x`, braces, spaces).
    static func looseHost(of text: String) -> String {
        var rest = Substring(text.lowercased())
        for scheme in ["https://", "http://"] where rest.hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            break
        }
        if let at = rest.prefix(while: { !"/?#".contains($0) }).lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        var host = rest.prefix { !"/?#:".contains($0) }
        // Prose puts punctuation right after a link: "see bit.ly/x." or "(www.bit.ly)".
        while let last = host.last, !(last.isLetter || last.isNumber) { host.removeLast() }
        return String(host)
    }

    /// D-10: every `http://`, `https://` or `www.` link in a text whose host is a shortener, as written.
    static func shortenedLinks(in text: String) -> [String] {
        text.split(whereSeparator: \.isWhitespace).compactMap { word -> String? in
            let lower = word.lowercased()
            let starts = ["https://", "http://", "www."].compactMap { lower.range(of: $0)?.lowerBound }
            guard let start = starts.min() else { return nil }
            let link = String(lower[start...])
            return isShortener(host: looseHost(of: link)) ? link : nil
        }
    }
}

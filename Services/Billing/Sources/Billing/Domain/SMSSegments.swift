/// D-21: how many SMS segments a text takes, which is what an SMS costs.
///
/// GSM-7 texts take 160 septets in one segment, 153 per segment when concatenated; characters of the
/// extension table (`^{}\[~]|€` and form feed) take two septets and are never split across segments. Any
/// other character makes the whole text UCS-2: 70 UTF-16 units in one segment, 67 when concatenated, and a
/// surrogate pair is never split.
public enum SMSSegments {
    public enum Encoding: String, Sendable { case gsm7, ucs2 }

    public static func encoding(of text: String) -> Encoding {
        text.unicodeScalars.allSatisfy { gsmBasic.contains($0) || gsmExtension.contains($0) } ? .gsm7 : .ucs2
    }

    public static func count(_ text: String) -> Int {
        switch encoding(of: text) {
        case .gsm7:
            let units = text.unicodeScalars.map { gsmExtension.contains($0) ? 2 : 1 }
            return segments(units, single: 160, concatenated: 153)
        case .ucs2:
            let units = text.unicodeScalars.map { $0.utf16.count }
            return segments(units, single: 70, concatenated: 67)
        }
    }

    /// Packs indivisible units into segments; an empty text still takes one segment.
    private static func segments(_ units: [Int], single: Int, concatenated: Int) -> Int {
        if units.reduce(0, +) <= single { return 1 }
        var count = 1
        var used = 0
        for unit in units {
            if used + unit > concatenated {
                count += 1
                used = 0
            }
            used += unit
        }
        return count
    }

    private static let gsmBasic = Set(
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
            + "abcdefghijklmnopqrstuvwxyzäöñüà").unicodeScalars)

    private static let gsmExtension = Set("^{}\\[~]|€\u{0C}".unicodeScalars)
}

/// CR-25: music on hold is a custom licensed .mp3 set per department or per flow. It replaces the default ringback while
/// the caller is being connected to an agent or a department; transfer-hold music is the system's and cannot be
/// customised.
enum MusicOnHold {
    /// An audio reference as the flow's other audio (1 to 200 characters), naming an .mp3 file; nil when it is one.
    static func violation(_ audio: String) -> String? {
        guard (5...200).contains(audio.unicodeScalars.count), audio.lowercased().hasSuffix(".mp3"),
              !audio.unicodeScalars.contains(where: { [.control, .format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory) })
        else {
            return "Music on hold is an .mp3 file: an audio reference of up to 200 characters ending in .mp3 (CR-25)."
        }
        return nil
    }

    /// The music of an offer: the department's own, else the flow's.
    static func chosen(department: String?, flow: String?) -> String? { department ?? flow }

    /// What the switch plays while the offer rings: the offer's music, except during a transfer, whose hold music is the
    /// system's.
    static func playing(_ chosen: String?, transfer: Bool) -> String? { transfer ? nil : chosen }
}

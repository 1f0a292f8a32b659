/// CR-06, CR-19, CR-21, D-01: what a menu accepts and how often it repeats.
enum MenuRules {
    /// CR-19, D-01: extra plays when nothing is pressed.
    static let repeatRange = 1...10
    static let defaultRepeat = 2
    /// D-01: seconds to wait for a key.
    static let timeoutRange = 3...15
    static let defaultTimeoutSeconds = 5
    /// CR-06: the keys a menu option may use.
    static let optionKeys: Set<String> = ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
    /// CR-06, D-01: keys kept for the platform.
    static let reservedKeys: Set<String> = ["0", "*", "#"]

    /// CR-19: total plays of a menu prompt before its fallback.
    static func totalPlays(repeat count: Int) -> Int { 1 + count }

    /// What a caller's keys mean in a menu (D-01, CR-16, CR-27).
    enum KeyAction: Hashable, Sendable {
        case option(String)
        /// `*`: play the menu again (not counted as a repeat).
        case replay
        /// `0`: the flow's operator destination.
        case `operator`
        /// Two digits 10–99 while direct dialing is on.
        case directExtension(Extension)
        /// `#` alone or nothing: the same as no input.
        case noInput
        case invalid
    }

    /// D-01: `#` ends input and is not part of the digits; `*` replays; `0` is the operator; 1–9 are options; two
    /// digits are an extension only when direct dialing is on (CR-16).
    static func interpret(_ digits: String, options: [String: String], directDialing: Bool) -> KeyAction {
        var keys = digits
        if keys.hasSuffix("#") { keys.removeLast() }
        if keys.isEmpty { return .noInput }
        if keys == "*" { return .replay }
        if keys == "0" { return .operator }
        if keys.count == 1 { return options[keys] != nil ? .option(keys) : .invalid }
        if directDialing, let target = Extension(digits: keys) { return .directExtension(target) }
        return .invalid
    }
}

/// CR-22, D-01: the recording limit of a voicemail node.
enum VoicemailRules {
    static let secondsRange = 6...60
    static let defaultSeconds = 30
}

/// CR-39, D-04, D-08: department limits.
enum DepartmentRules {
    static let ringRange = 10...25
    static let defaultRingSeconds = 25
    /// D-08: longer names are refused at save, so call notifications (NO-02) never silently drop.
    static let maxNameLength = 16
}

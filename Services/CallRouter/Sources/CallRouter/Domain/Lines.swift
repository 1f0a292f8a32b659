/// CR-47 … CR-50, D-07: concurrent call paths.
struct LinePolicy: Hashable, Sendable {
    let lines: Int

    /// D-07 (CR-50): lines outbound calls may hold at once: half when the company has 4 lines or fewer, 80 % above,
    /// rounded down, at least one.
    var outboundCap: Int {
        max(1, lines <= 4 ? lines * 50 / 100 : lines * 80 / 100)
    }
}

/// CR-49, CR-76, CR-84: how an outbound call is placed and how many lines it holds.
enum OutboundMethod: String, Sendable, Codable, CaseIterable {
    /// The agent's phone rings first, then the customer is bridged: two legs, two lines.
    case clickToCall = "click_to_call"
    /// The agent talks from the browser: one leg, one line.
    case webCall = "web_call"

    var lines: Int {
        switch self {
        case .clickToCall: 2
        case .webCall: 1
        }
    }
}

import Contracts

/// CR-36, D-04: how a department offers a call to its members.
enum RoutingStrategy: String, Sendable, Codable, CaseIterable {
    case serial, simultaneous, balanced

    /// D-04: simultaneous rings at most this many members at once.
    static let simultaneousLimit = 5

    /// D-04: the offers of one call, in order; each inner list rings together for the ring time.
    /// - serial: eligible members one at a time in the department's dialling order (CR-38);
    /// - simultaneous: eligible members in groups of five;
    /// - balanced: one at a time, starting with the member after `lastOffered` in dialling order (round robin).
    /// Every eligible member is offered exactly once; after that the department's fallback applies.
    func rounds(members: [UserID], eligible: Set<UserID>, lastOffered: UserID?) -> [[UserID]] {
        switch self {
        case .serial:
            return members.filter(eligible.contains).map { [$0] }
        case .simultaneous:
            let ordered = members.filter(eligible.contains)
            return stride(from: 0, to: ordered.count, by: Self.simultaneousLimit).map {
                Array(ordered[$0..<min($0 + Self.simultaneousLimit, ordered.count)])
            }
        case .balanced:
            let start = lastOffered.flatMap { members.firstIndex(of: $0) }.map { $0 + 1 } ?? 0
            let rotated = members[start...] + members[..<start]
            return rotated.filter(eligible.contains).map { [$0] }
        }
    }
}

/// D-05 (CR-40, CR-41): how strongly a returning caller is tied to the agent who last answered them.
enum StickyMode: String, Sendable, Codable, CaseIterable {
    case off, strict, loose

    /// D-05: the sticky window default and range, in days.
    static let defaultWindowDays = 7
    static let windowDays = 1...90

    /// The offers once stickiness is applied to the strategy's `rounds`. `bound` is the agent who last answered this
    /// caller inside the window, with whether that agent may ring now.
    /// - strict: only the bound agent; not eligible → no offers, straight to the fallback;
    /// - loose: the bound agent first, then the normal strategy without them; not eligible → the normal strategy.
    func apply(to rounds: [[UserID]], bound: UserID?, boundEligible: Bool) -> [[UserID]] {
        guard self != .off, let bound else { return rounds }
        switch self {
        case .off:
            return rounds
        case .strict:
            return boundEligible ? [[bound]] : []
        case .loose:
            guard boundEligible else { return rounds }
            let rest = rounds.map { $0.filter { $0 != bound } }.filter { !$0.isEmpty }
            return [[bound]] + rest
        }
    }
}

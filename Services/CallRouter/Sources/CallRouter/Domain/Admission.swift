/// Whether an inbound call gets into the flow, checked in this order before anything plays:
/// D-09 / CR-14 a suspended account refuses it with no call log; CR-63 a blocked caller is rejected (logged as
/// `rejected`); CR-74 a Missed Call Service number drops it unanswered after a ring or two (`missed`, announced for its
/// follow-up, no line taken); CR-12 a number with no published, active flow drops it (`no_flow`); D-07 / CR-52 no
/// free line makes it `lost` (no call log, a system-log row and `call.lost`). A line is taken only by a call that
/// passed the screen.
enum Admission: Hashable, Sendable {
    case refused
    case rejected
    case missedCall
    case noFlow
    case lost
    case admitted

    /// The checks before a line is needed; nil when the call may take a line.
    static func screen(suspended: Bool, blocked: Bool, missedCallService: Bool = false, flowReady: Bool) -> Admission? {
        if suspended { return .refused }
        if blocked { return .rejected }
        if missedCallService { return .missedCall }
        if !flowReady { return .noFlow }
        return nil
    }

    /// D-07: the line decides the rest.
    static func lines(taken: Bool) -> Admission { taken ? .admitted : .lost }
}

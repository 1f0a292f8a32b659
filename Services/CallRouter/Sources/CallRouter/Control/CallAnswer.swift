import Contracts

/// The answer to every call-control request: the call, where it stands and what the switch does next. It is stored
/// on the call as JSON so a resent request gets the same answer.
struct CallAnswer: Encodable, Sendable {
    enum Status: String, Encodable, Sendable {
        case live, ended
        /// D-07, CR-52: every line busy; there is no call log.
        case lost
        /// D-09, CR-14: the account is suspended; there is no call log.
        case refused
    }

    var uid: CallID?
    var status: Status
    var instructions: [Instruction]
}

import Contracts
import Synchronization

/// The live calls this replica decided last, as it wrote them, so that the next event of a call skips the read.
///
/// PostgreSQL stays the truth and any replica can take a call's next event: a decision made from a kept call writes
/// only if the call is still at the version kept and the company's settings are still the ones kept
/// (`CallStore.update`). When another replica, the disposition API or a settings change moved either, the write
/// changes nothing, the call is forgotten here and the decision runs again from a fresh read.
final class LiveCalls: Sendable {
    struct Entry: Sendable {
        var call: CallRecord
        var settings: CompanySettings
    }

    /// Calls the switch stopped sending events for are swept in PostgreSQL, not here; past this many kept calls
    /// everything is forgotten at once, which costs each live call one read.
    let capacity: Int
    private let entries = Mutex<[CallID: Entry]>([:])

    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    func entry(_ uid: CallID) -> Entry? {
        entries.withLock { $0[uid] }
    }

    /// The call as its decision wrote it; an ended call is forgotten, it takes no more decisions.
    func keep(_ call: CallRecord, settings: CompanySettings) {
        entries.withLock { entries in
            guard call.live else {
                entries[call.uid] = nil
                return
            }
            if entries[call.uid] == nil, entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[call.uid] = Entry(call: call, settings: settings)
        }
    }

    func forget(_ uid: CallID) {
        _ = entries.withLock { $0.removeValue(forKey: uid) }
    }

    var count: Int { entries.withLock { $0.count } }
}

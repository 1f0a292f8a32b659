import Contracts
import Metrics
import Synchronization

/// The live calls this replica decided last, as it wrote them, so that the next event of a call skips the read.
///
/// PostgreSQL stays the truth and any replica can take a call's next event: a decision made from a kept call writes
/// only if the call is still at the revision kept and the company's settings are still the ones kept
/// (`CallStore.update`). When another replica, the sweeper, the disposition API or a settings change moved either,
/// the write changes nothing, the call is forgotten here and the decision runs again from a fresh read.
final class LiveCalls: Sendable {
    struct Entry: Sendable {
        var call: CallRecord
        var settings: CompanySettings
    }

    /// Two generations: a lookup looks in both, a keep goes into the newer one, and when that one is full the older one
    /// is dropped. Calls that ended on another replica or that the switch stopped reporting leave their entries behind;
    /// this bounds them to the `generation` to `2 × generation` calls decided here last.
    private struct Generations {
        var newer: [CallID: Entry] = [:]
        var older: [CallID: Entry] = [:]
    }

    let generation: Int
    private let generations = Mutex(Generations())

    /// How a decision started (`callrouter_kept_calls_total{start}`): from a kept copy it could use (`kept`), from one
    /// it could not (`reread`: the call or its settings had moved, or the event needed the row itself), or with no
    /// copy (`read`). Many reads and rereads mean the switch spreads a call's events over replicas.
    enum Start: String, CaseIterable {
        case kept, reread, read
    }

    private let starts: [Start: Counter]

    init(generation: Int = 10_000) {
        self.generation = max(1, generation)
        starts = Dictionary(uniqueKeysWithValues: Start.allCases.map { ($0, Counter(label: "callrouter_kept_calls_total", dimensions: [("start", $0.rawValue)])) })
    }

    func count(_ start: Start) {
        starts[start]?.increment()
    }

    func entry(_ uid: CallID) -> Entry? {
        generations.withLock { $0.newer[uid] ?? $0.older[uid] }
    }

    /// The call as its decision wrote it; an ended call is forgotten, it takes no more decisions. A decision that wrote
    /// before another one of the call but comes to keep it after does not put the older copy back.
    func keep(_ call: CallRecord, settings: CompanySettings) {
        let generation = self.generation
        generations.withLock { generations in
            let existing = generations.older.removeValue(forKey: call.uid) ?? generations.newer[call.uid]
            guard call.live else {
                generations.newer[call.uid] = nil
                return
            }
            if let existing, existing.call.version > call.version {
                generations.newer[call.uid] = existing
                return
            }
            generations.newer[call.uid] = Entry(call: call, settings: settings)
            if generations.newer.count >= generation {
                generations.older = generations.newer
                generations.newer = [:]
            }
        }
    }

    /// Forgets the copy `copy` of call `uid`, unless another decision of the call has kept a newer one meanwhile.
    func forget(_ uid: CallID, at copy: CallRecord) {
        generations.withLock { generations in
            guard let entry = generations.newer[uid] ?? generations.older[uid] else { return }
            guard entry.call.version == copy.version, entry.call.revision == copy.revision else { return }
            generations.newer[uid] = nil
            generations.older[uid] = nil
        }
    }

    var count: Int { generations.withLock { $0.newer.count + $0.older.count } }
}

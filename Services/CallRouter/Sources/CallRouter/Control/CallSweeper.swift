import Contracts
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import Storage

/// Ends calls the switch lost track of, so their lines and agents are not held for ever: an outbound call still
/// dialling well past the ring time (the switch never picked up the instructions, or never reported), an inbound call
/// nobody answered still in menus, offers or voicemail after an hour (CR-47: it holds a line), and any call live for
/// longer than a call can last. Ages are by our clock (`admitted_at`), not the switch's. Each is ended through the
/// ordinary hang-up path, so it gets its outcome, `call.completed`, its lines and its agent back exactly once, as of
/// the last moment the switch reported on it.
struct CallSweeper: Service {
    let database: Database
    let control: CallControl
    let interval: Duration
    /// An outbound leg that has not answered after this long is not going to.
    let dialingLimit: Duration
    /// An inbound call nobody has answered yet (menus, offers, a voicemail) that is still live after this long is one
    /// the switch stopped reporting: a whole ring cycle and a voicemail take minutes.
    var unansweredLimit: Duration = .seconds(3_600)
    let liveLimit: Duration
    let logger: Logger

    func run() async throws {
        await Polling.run(every: interval, logger: logger, failure: "call sweep failed") {
            let ended = try await sweepOnce(now: Date())
            if ended > 0 { logger.info("ended stale calls", metadata: ["count": "\(ended)"]) }
        }
    }

    /// Ends up to 100 stale calls (of one company, or of all); returns how many it ended.
    @discardableResult
    func sweepOnce(now: Date, company: CompanyID? = nil) async throws -> Int {
        let schema = database.schema.rawValue
        let dialingBefore = now.addingTimeInterval(-Double(dialingLimit.components.seconds))
        let liveBefore = now.addingTimeInterval(-Double(liveLimit.components.seconds))
        let unansweredBefore = now.addingTimeInterval(-Double(unansweredLimit.components.seconds))
        // D-20: a call is billed to its end, and the switch never said when that was. The last moment it reported on
        // the call (the latest of its start, pickup, answer and journey) is the end known for certain; the sweep's own
        // time would bill an hour of an unanswered call, or six of a connected one whose hang-up was lost.
        let rows = try await database.query(
            """
            SELECT uid, greatest(started_at, picked_up_at, answered_at,
                                 (SELECT max((entry->>'at')::timestamptz) FROM jsonb_array_elements(journey) entry))
            FROM \(unescaped: schema).calls
            WHERE live AND (\(company?.uuid)::uuid IS NULL OR company_id = \(company?.uuid))
              AND ((state->>'phase' IN ('dialing_agent', 'dialing_customer') AND admitted_at < \(dialingBefore))
                   OR (state->>'phase' IN ('ivr', 'ringing', 'voicemail') AND answered_at IS NULL AND admitted_at < \(unansweredBefore))
                   OR admitted_at < \(liveBefore))
            LIMIT 100
            """)
        var stale: [(uid: CallID, lastHeard: Date)] = []
        for try await (uid, lastHeard) in rows.decode((UUID, Date).self) { stale.append((CallID(uid), lastHeard)) }
        var ended = 0
        for (uid, lastHeard) in stale {
            do {
                _ = try await control.event(uid, .hangup(recordingURL: nil), eventID: "sweeper", at: lastHeard)
                ended += 1
            } catch {
                // One call that cannot be ended now must not keep the others holding their lines.
                logger.warning("stale call not ended", metadata: ["uid": "\(uid)", "error": "\(String(reflecting: error))"])
            }
        }
        return ended
    }
}

import Foundation
import Storage
import Synchronization

/// D-17: hands out send permits for one number at its rate, taking them from the bucket every replica shares in
/// the database (`NumberStore.takeTokens`) a tenth of a second's worth at a time. One refill is in flight at once;
/// every sender waiting for a permit waits for it.
actor RateGate {
    private let numberID: UUID
    private let database: Database
    private var permits = 0
    private var fetchedAt = ContinuousClock.now
    private var rate = SendRate.standard
    private var refill: Task<Void, any Error>?

    init(numberID: UUID, database: Database) {
        self.numberID = numberID
        self.database = database
    }

    func acquire() async throws {
        while true {
            // Permits are a slice of the rate now; kept for later they would let an idle replica burst above it.
            if permits > 0, ContinuousClock.now - fetchedAt > .seconds(1) { permits = 0 }
            if permits > 0 {
                permits -= 1
                return
            }
            let task: Task<Void, any Error>
            if let pending = refill {
                task = pending
            } else {
                task = Task { try await self.fetch() }
                refill = task
            }
            defer { if refill == task { refill = nil } }
            try await task.value
        }
    }

    private func fetch() async throws {
        let wanted = SendRate.chunk(rate: rate)
        let numberID = numberID
        let (granted, current) = try await database.withTransaction { transaction in
            try await NumberStore.takeTokens(numberID, wanted: wanted, in: transaction)
        }
        rate = current
        permits += granted
        fetchedAt = ContinuousClock.now
        if granted < wanted {
            // The bucket is empty: come back when the missing tokens have dripped in.
            try await Task.sleep(for: .microseconds(max(1_000, (wanted - granted) * 1_000_000 / max(1, current))))
        }
    }
}

/// One gate per number in this process.
final class RateGates: Sendable {
    private let database: Database
    private let gates = Mutex<[UUID: RateGate]>([:])

    init(database: Database) { self.database = database }

    func gate(_ numberID: UUID) -> RateGate {
        gates.withLock { gates in
            if let gate = gates[numberID] { return gate }
            let gate = RateGate(numberID: numberID, database: database)
            gates[numberID] = gate
            return gate
        }
    }
}

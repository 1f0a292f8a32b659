import Foundation
import Storage
import Synchronization

/// The rate cards, read at most once per `lifetime` per process: rating batches would otherwise read the same
/// few dozen rows thousands of times a second. A re-import (BI-15) reaches every replica within `lifetime`.
final class RateCardCache: Sendable {
    private let lifetime: Duration
    private let state = Mutex<(cards: [Plan: RateCard], loadedAt: ContinuousClock.Instant)?>(nil)

    init(lifetime: Duration = .seconds(5)) {
        self.lifetime = lifetime
    }

    func cards(in transaction: Transaction) async throws -> [Plan: RateCard] {
        let now = ContinuousClock.now
        if let cached = state.withLock({ $0 }), now - cached.loadedAt < lifetime { return cached.cards }
        let cards = try await RateCardStore.load(in: transaction)
        state.withLock { $0 = (cards, now) }
        return cards
    }
}

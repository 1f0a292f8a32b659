import Contracts
import Logging
import ServiceKit
import Synchronization

/// BI-07 at send time, for Live Chat messages (text, interactive, canned and automatic replies): they fail below ₹1,
/// as Billing answers (`BalanceCheck`, the same rules as sends other services request). A company found able to send
/// is not asked about again for `remember`, so a chat of many messages asks Billing once and a slow Billing delays
/// only the first of them; a suspension or a fall below ₹1 reaches messages sent within that time late. A Billing
/// that cannot be asked lets the message go and is asked again for the next one.
final class LiveChatBalance: Sendable {
    private let check: BalanceCheck
    private let remember: Duration
    private let allowed = Mutex<[CompanyID: ContinuousClock.Instant]>([:])

    init(check: BalanceCheck, remember: Duration = .seconds(10)) {
        self.check = check
        self.remember = remember
    }

    func refusal(_ company: CompanyID, logger: Logger) async -> APIError? {
        let now = ContinuousClock.now
        if let until = allowed.withLock({ $0[company] }), until > now { return nil }
        switch await check.verdict(company, logger: logger) {
        case .allowed:
            allowed.withLock { cache in
                // Old entries go, so the map holds only the companies chatting now.
                if cache.count > 10_000 { cache = cache.filter { $0.value > now } }
                cache[company] = now.advanced(by: remember)
            }
            return nil
        case .unknown:
            return nil
        case .refused(let refusal):
            return refusal
        }
    }
}

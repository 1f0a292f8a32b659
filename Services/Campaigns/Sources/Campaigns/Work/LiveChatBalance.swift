import Contracts
import Logging
import ServiceKit
import Synchronization

/// BI-07 at send time, for Live Chat messages (text, interactive, canned and automatic replies): they fail below ₹1.
/// A company found able to send is not asked about again for `remember`, so a chat of many messages asks Billing once
/// and a slow Billing delays only the first of them. Only a definite answer refuses: a Billing that cannot be asked,
/// or that refuses the question itself, lets the message go (the API checked the balance when it queued it, and the
/// suspension projection still stops a suspended company).
final class LiveChatBalance: Sendable {
    private let check: BalanceCheck
    private let remember: Duration
    private let allowed = Mutex<[CompanyID: ContinuousClock.Instant]>([:])

    init(check: BalanceCheck, remember: Duration = .seconds(30)) {
        self.check = check
        self.remember = remember
    }

    func refusal(_ company: CompanyID, logger: Logger) async -> APIError? {
        let now = ContinuousClock.now
        if let until = allowed.withLock({ $0[company] }), until > now { return nil }
        guard let refusal = await check.refusal(company, logger: logger) else {
            allowed.withLock { cache in
                // Old entries go, so the map holds only the companies chatting now.
                if cache.count > 10_000 { cache = cache.filter { $0.value > now } }
                cache[company] = now.advanced(by: remember)
            }
            return nil
        }
        if refusal.code == "billing.refused" {
            logger.notice("balance not checked: Billing refused the question", metadata: ["company": "\(company)", "error": "\(refusal.message)"])
            return nil
        }
        return refusal
    }
}

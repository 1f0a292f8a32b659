import AsyncHTTPClient
import Contracts
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit
import ServiceLifecycle
import Storage

/// D-19: asks the payment gateway to charge each new automatic recharge to the customer's saved mandate
/// (`POST {gateway}/payments/mandates/charge`, the payment id as the idempotency key). The money arrives like
/// any payment, on the signed webhook. Payments are claimed (`SKIP LOCKED`) and marked in a short transaction
/// before the call, so replicas share the work and no lock is held during it; a refused charge is asked again
/// after a growing wait (`MandateRetry`) and given up after `MandateRetry.maximumAttempts`. A charge the gateway
/// accepted but never confirmed, or whose answer was unclear (`MandateAnswer.unclear`), is asked for again after
/// `unconfirmedAfter` (same idempotency key) and given up after the last ask: otherwise the company's one pending
/// automatic payment would block every later auto-recharge for good.
final class AutoRecharger: Service {
    let database: Database
    let http: HTTPClient
    let gatewayURL: String
    let interval: Duration
    let unconfirmedAfter: Duration
    let retry: MandateRetry
    let logger: Logger

    init(
        database: Database, http: HTTPClient, gatewayURL: String, interval: Duration, unconfirmedAfter: Duration = .seconds(600),
        retry: MandateRetry = MandateRetry(), logger: Logger
    ) {
        self.database = database
        self.http = http
        self.gatewayURL = gatewayURL
        self.interval = interval
        self.unconfirmedAfter = unconfirmedAfter
        self.retry = retry
        self.logger = logger
    }

    /// The client for the gateway's requests.
    static func client() -> HTTPClient {
        HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(timeout: .init(connect: .seconds(5), read: .seconds(10))))
    }

    func run() async throws {
        await Polling.run(every: interval, logger: logger, failure: "auto-recharge request failed") { try await requestDue() }
    }

    /// Each claimed payment is asked for on its own: one refused mandate never holds back the others.
    func requestDue() async throws {
        let now = Date()
        let stale = now.addingTimeInterval(-Double(unconfirmedAfter.components.seconds))
        let claimed = try await database.withTransaction { transaction in
            try await PaymentStore.giveUpUnconfirmed(before: stale, maximumAttempts: MandateRetry.maximumAttempts, in: transaction)
            try await PaymentStore.dropUnneeded(try await PaymentStore.unaskedAutomatic(in: transaction).filter { !$0.stillNeeded }.map(\.id), in: transaction)
            return try await PaymentStore.claimAutomatic(limit: 20, now: now, stale: stale, maximumAttempts: MandateRetry.maximumAttempts, in: transaction)
        }
        for charge in claimed {
            let payment = charge.payment
            let metadata: Logger.Metadata = ["payment_id": "\(payment.id)", "company_id": "\(payment.companyID)", "attempts": "\(charge.attempts)"]
            switch await ask(payment) {
            case .accepted:
                // Unrecorded (the database failed here), the payment is still claimed: asked again after the
                // unconfirmed wait, which the gateway answers from the same charge.
                try await database.withTransaction { transaction in
                    try await PaymentStore.automaticChargeAccepted(payment.id, at: Date(), in: transaction)
                }
                logger.info("auto-recharge requested", metadata: metadata)
            case .refused(let status):
                let retryAt = Date().addingTimeInterval(Double(retry.wait(afterAttempts: charge.attempts).components.seconds))
                logger.warning("auto-recharge refused", metadata: metadata.merging(["status": "\(status)"]) { $1 })
                try await database.withTransaction { transaction in
                    try await PaymentStore.automaticChargeFailed(
                        payment.id, reason: "the gateway refused the mandate charge (\(status))", retryAt: retryAt,
                        maximumAttempts: MandateRetry.maximumAttempts, in: transaction)
                }
            case .unclear:
                // Left claimed: asked again with the same key after the unconfirmed wait, given up after the last ask.
                logger.warning("auto-recharge outcome unclear; asked again later with the same key", metadata: metadata)
                try await database.withTransaction { transaction in
                    try await PaymentStore.automaticChargeUnclear(payment.id, at: Date(), in: transaction)
                }
            }
        }
    }

    private func ask(_ payment: Payment) async -> MandateAnswer {
        var request = HTTPClientRequest(url: "\(gatewayURL)/payments/mandates/charge")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: "\(payment.id)")
        request.body = .bytes(
            ByteBuffer(string: #"{"payment_id":"\#(payment.id)","company_id":"\#(payment.companyID)","amount":\#(payment.total.paise)}"#))
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            // The status is the answer; the body is read only so that the connection can be used again.
            _ = try? await response.body.collect(upTo: 1 << 20)
            return MandateAnswer(status: Int(response.status.code))
        } catch {
            logger.warning("mandate charge got no answer", metadata: ["payment_id": "\(payment.id)", "error": "\(error)"])
            return .unclear
        }
    }
}

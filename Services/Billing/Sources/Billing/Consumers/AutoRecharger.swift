import Contracts
import Foundation
import FoundationNetworking
import Logging
import ServiceLifecycle
import Storage

/// D-19: asks the payment gateway to charge each new automatic recharge to the customer's saved mandate
/// (`POST {gateway}/payments/mandates/charge`, the payment id as the idempotency key). The money arrives like
/// any payment, on the signed webhook. Claimed with `SKIP LOCKED`, so replicas share the work; a crash between
/// the request and the commit asks again with the same payment id, which the gateway charges once.
final class AutoRecharger: Service {
    let database: Database
    let gatewayURL: String
    let interval: Duration
    let logger: Logger

    init(database: Database, gatewayURL: String, interval: Duration, logger: Logger) {
        self.database = database
        self.gatewayURL = gatewayURL
        self.interval = interval
        self.logger = logger
    }

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await requestDue()
            } catch {
                logger.warning("auto-recharge request failed; retrying", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    func requestDue() async throws {
        try await database.withTransaction { transaction in
            for payment in try await PaymentStore.claimUnrequestedAutomatic(limit: 20, in: transaction) {
                try await charge(payment)
                try await PaymentStore.markRequested(payment.id, now: Date(), in: transaction)
                logger.info("auto-recharge requested", metadata: ["payment_id": "\(payment.id)", "company_id": "\(payment.companyID)"])
            }
        }
    }

    private func charge(_ payment: Payment) async throws {
        var request = URLRequest(url: URL(string: "\(gatewayURL)/payments/mandates/charge")!)
        request.httpMethod = "POST"
        request.timeoutInterval = 10
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("\(payment.id)", forHTTPHeaderField: "Idempotency-Key")
        request.httpBody = Data(#"{"payment_id":"\#(payment.id)","company_id":"\#(payment.companyID)","amount":\#(payment.total.paise)}"#.utf8)
        let (_, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw GatewayError(status: status) }
    }

    struct GatewayError: Error, CustomStringConvertible {
        let status: Int
        var description: String { "the payment gateway answered \(status)" }
    }
}

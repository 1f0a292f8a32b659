import Contracts
import Crypto
import Foundation
import Hummingbird
import Logging
import ServiceKit
import Storage

extension BillingAPI {
    /// BI-37, BI-33: start a recharge. Online: the answer carries the provider's checkout URL. Offline (NEFT,
    /// RTGS, IMPS, cheque): the bank reference code is recorded. Either way the wallet is credited only when the
    /// provider confirms the money on the webhook.
    @Sendable func createPayment(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<PaymentView> {
        let company = try context.require("billing.pay", roles: Self.walletRoles).companyID
        let body = try await request.decode(as: PaymentRequest.self, context: context)
        let now = Date()
        let payment = try await database.withTransaction { transaction in
            let account = try await AccountStore.lock(company, in: transaction)
            if let violation = PaymentRules.validate(
                amount: body.amount, method: body.method, offlineCode: body.offlineCode, minimumTopUp: account.minimumTopUp)
            {
                throw Self.error(violation)
            }
            let payment = Payment(
                id: PaymentID(), purpose: .recharge,
                lines: [.init(description: "Prepaid wallet recharge (\(body.method.label))", quantity: 1, amount: body.amount)],
                companyID: company, amount: body.amount, gst: PaymentRules.payable(amount: body.amount).gst, method: body.method,
                status: .pending, offlineCode: body.offlineCode, createdAt: now)
            guard try await PaymentStore.insert(payment, in: transaction) else {
                throw APIError.conflict(
                    "payment.offline_code.used", "This offline payment code was already applied to your account.", field: "offline_code")
            }
            return payment
        }
        return EditedResponse(status: .created, response: PaymentView(payment, checkoutBase: checkoutBase))
    }

    @Sendable func payments(_ request: Request, context: AppRequestContext) async throws -> Page<PaymentView> {
        let company = try context.require("billing.read", roles: Self.walletRoles).companyID
        let list = try await PaymentStore.list(company: company, limit: 100, in: database)
        return Page(items: list.map { PaymentView($0, checkoutBase: checkoutBase) }, next: nil)
    }

    @Sendable func payment(_ request: Request, context: AppRequestContext) async throws -> PaymentView {
        let company = try context.require("billing.read", roles: Self.walletRoles).companyID
        let id = try context.id("id", as: PaymentID.self)
        let payment = try await database.withTransaction { transaction in
            try await PaymentStore.find(id, company: company, forUpdate: false, in: transaction)
        }
        guard let payment else { throw APIError.notFound("payment") }
        return PaymentView(payment, checkoutBase: checkoutBase)
    }

    /// The payment provider's callback, authenticated by `X-Payment-Signature: sha256=<hex HMAC-SHA256 of the raw
    /// body>`. A captured payment delivers what it bought (wallet credit, number, plan upgrade) and issues its
    /// invoice at once (BI-26); a failed one is only recorded (no invoice, and a number it held is freed). Replays
    /// of a settled payment change nothing.
    @Sendable func paymentWebhook(_ request: Request, context: AppRequestContext) async throws -> PaymentView {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let body = Data(buffer.readableBytesView)
        guard let signature = request.header(Self.signatureHeader), WebhookSignature.verify(signature, body: body, key: webhookKey) else {
            throw APIError(.unauthorized, code: "webhook.signature_invalid", message: "The X-Payment-Signature header does not match the body.")
        }
        let notification: PaymentNotification
        do {
            notification = try JSONCoding.decoder().decode(PaymentNotification.self, from: body)
        } catch let error as DecodingError {
            throw APIError.decoding(error)
        }
        let now = Date()
        let payment = try await database.withTransaction { transaction -> Payment in
            guard var payment = try await PaymentStore.find(notification.paymentID, company: nil, forUpdate: true, in: transaction) else {
                throw APIError.notFound("payment")
            }
            switch notification.event {
            case .failed:
                guard payment.status == .pending else { return payment }
                payment.status = .failed
                payment.failureReason = notification.reason.map(Self.storable) ?? "declined by the payment provider"
                if payment.purpose == .didPurchase, let number = payment.subject {
                    try await DIDStore.abandon(number: number, payment: payment.id, in: transaction)
                }
            case .captured:
                switch CaptureDecision(status: payment.status, captured: notification.amount, payable: payment.total) {
                case .replay:
                    return payment
                case .hold:
                    let captured = notification.amount.map(\.description) ?? "an unstated amount"
                    context.logger.error(
                        "payment captured for another amount than payable; held for review",
                        metadata: ["payment_id": "\(payment.id)", "company_id": "\(payment.companyID)", "captured": "\(captured)", "payable": "\(payment.total)"])
                    payment.status = .review
                    payment.capturedAmount = notification.amount
                    payment.failureReason = "the provider captured \(captured) where \(payment.total) was payable; held for review"
                    if payment.purpose == .didPurchase, let number = payment.subject {
                        try await DIDStore.abandon(number: number, payment: payment.id, in: transaction)
                    }
                case .settle:
                    try await PaymentSettlement(outbox: outbox).settle(payment, now: now, in: transaction)
                    payment.status = .succeeded
                    payment.failureReason = nil
                    payment.capturedAmount = nil
                }
            }
            payment.providerReference = notification.providerReference.map(Self.storable)
            payment.completedAt = now
            try await PaymentStore.complete(payment, in: transaction)
            return payment
        }
        return PaymentView(payment, checkoutBase: checkoutBase)
    }

    static let signatureHeader = "X-Payment-Signature"

    /// The provider's free text without NUL bytes, which PostgreSQL cannot store: a capture must not be refused, on
    /// every retry of the webhook, for a stray byte in its reference.
    static func storable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\u{0}" }))
    }

    static func error(_ violation: PaymentRules.Violation) -> APIError {
        switch violation {
        case .belowMinimumTopUp(let minimum):
            .unprocessable("payment.below_minimum_topup", "A recharge must be at least your minimum top-up of \(minimum).", field: "amount")
        case .tooLarge(let maximum):
            .unprocessable("payment.too_large", "A single recharge can be at most \(maximum); contact your account manager.", field: "amount")
        case .offlineCodeMissing:
            .unprocessable("payment.offline_code.missing", "An offline payment needs the bank's reference code.", field: "offline_code")
        case .offlineCodeInvalid:
            .unprocessable(
                "payment.offline_code.invalid", "The offline payment code has 6 to 30 letters and digits (UTR or cheque number).",
                field: "offline_code")
        case .offlineCodeNotExpected:
            .unprocessable("payment.offline_code.unexpected", "Only NEFT, RTGS, IMPS and cheque payments carry an offline code.", field: "offline_code")
        }
    }
}

extension PaymentMethod {
    var label: String { self == .online ? "online payment" : rawValue == "cheque" ? "cheque" : rawValue.uppercased() }
}

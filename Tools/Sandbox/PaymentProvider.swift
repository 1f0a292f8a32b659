import Crypto
import Foundation
import FoundationNetworking
import Hummingbird

/// The payment gateway's emulator. Billing's checkout URL opens a page with "Pay" and "Decline"; either button
/// makes the sandbox call Billing's webhook the way a gateway does: a JSON body signed with the shared secret
/// (`X-Payment-Signature: sha256=<hex HMAC-SHA256>`).
struct PaymentProvider: Sendable {
    let billingURL: String
    let secret: String

    func register(_ router: Router<BasicRequestContext>) {
        router.get("payments/checkout/:id") { request, context -> Response in
            let id = try context.parameters.require("id")
            let amount = request.uri.queryParameters.get("amount").flatMap(Int.init) ?? 0
            let page = """
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sandbox checkout</title></head><body>
                <h1>Sandbox payment gateway</h1><p>Payment \(Self.escape(id)): ₹\(amount / 100).\(String(format: "%02d", amount % 100))</p>
                <form method="post" action="/payments/checkout/\(Self.escape(id))/pay?amount=\(amount)"><button>Pay</button></form>
                <form method="post" action="/payments/checkout/\(Self.escape(id))/decline?amount=\(amount)"><button>Decline</button></form>
                </body></html>
                """
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
        }
        router.post("payments/checkout/:id/pay") { request, context -> String in
            try await notify(id: try context.parameters.require("id"), event: "payment.captured", amount: request.uri.queryParameters.get("amount"))
        }
        // D-19 auto-recharge: charge the saved mandate, answer at once, confirm on the webhook shortly after.
        router.post("payments/mandates/charge") { request, context -> Response in
            struct Charge: Decodable {
                var payment_id: String
                var amount: Int
            }
            let charge = try await request.decode(as: Charge.self, context: context)
            Task {
                try? await Task.sleep(for: .milliseconds(200))
                _ = try? await notify(id: charge.payment_id, event: "payment.captured", amount: String(charge.amount))
            }
            return Response(status: .accepted)
        }
        router.post("payments/checkout/:id/decline") { request, context -> String in
            try await notify(id: try context.parameters.require("id"), event: "payment.failed", amount: request.uri.queryParameters.get("amount"))
        }
    }

    private func notify(id: String, event: String, amount: String?) async throws -> String {
        guard UUID(uuidString: id) != nil, let paise = amount.flatMap(Int.init) else {
            throw HTTPError(.badRequest, message: "a payment id and an amount in paise are needed")
        }
        let reference = "sandbox_" + UUID().uuidString.prefix(12).lowercased()
        let body = Data(
            #"{"event":"\#(event)","payment_id":"\#(id)","provider_reference":"\#(reference)","amount":\#(paise),"reason":"declined at the sandbox checkout"}"#.utf8)
        var request = URLRequest(url: URL(string: "\(billingURL)/v1/billing/payments/webhook")!)
        request.httpMethod = "POST"
        request.httpBody = body
        request.timeoutInterval = 15
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        request.setValue("sha256=" + mac.map { String(format: "%02x", $0) }.joined(), forHTTPHeaderField: "X-Payment-Signature")
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return "billing answered \(status): \(String(decoding: data, as: UTF8.self))\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

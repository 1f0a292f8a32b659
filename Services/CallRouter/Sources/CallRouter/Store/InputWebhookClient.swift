import Contracts
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// CR-04, WH-09: the input node's real-time POST to the customer's webhook. The caller is waiting, so the answer
/// must come within 3 seconds; anything else (timeout, non-2xx, unreadable JSON) sends the call down the fallback.
struct InputWebhookClient: Sendable {
    static let timeout: TimeInterval = 3

    func ask(url: String, request body: InputWebhookRequest) async -> String? {
        guard let target = URL(string: url), let payload = try? JSONCoding.encoder().encode(body) else { return nil }
        var request = URLRequest(url: target, timeoutInterval: Self.timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = payload
        do {
            // The request's timeout bounds the wait for the answer; the caller hears silence meanwhile.
            let (data, response) = try await URLSession.shared.data(for: request)
            guard let http = response as? HTTPURLResponse, (200..<300).contains(http.statusCode) else { return nil }
            return try JSONCoding.decoder().decode(InputWebhookResponse.self, from: data).next
        } catch {
            return nil
        }
    }
}

import Contracts
import Foundation
import ServiceKit
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// CR-04, WH-09: the input node's real-time POST to the customer's webhook. The caller is waiting, so the answer
/// must come within 3 seconds; anything else (timeout, non-2xx, unreadable JSON) sends the call down the fallback.
/// A URL that points into the platform's own network, as published or as resolved now, is not asked at all.
struct InputWebhookClient: Sendable {
    static let timeout: Duration = .seconds(3)
    let policy: OutboundURLPolicy

    func ask(url: String, request body: InputWebhookRequest, company: CompanyID) async -> String? {
        guard policy.refusal(of: url) == nil, let target = URL(string: url), let host = target.host,
            let payload = try? JSONCoding.encoder().encode(body)
        else { return nil }
        // URLSession's timeout is an idle timeout, not a deadline: race the request against a clock instead, and
        // leave a slow request to finish on its own.
        return await withCheckedContinuation { continuation in
            let once = Once()
            let work = Task {
                let answer = await policy.resolvesToPublicAddresses(host, for: company.description) ? await Self.post(target, payload) : nil
                if once.claim() { continuation.resume(returning: answer) }
            }
            Task {
                try? await Task.sleep(for: Self.timeout)
                if once.claim() {
                    work.cancel()
                    continuation.resume(returning: nil)
                }
            }
        }
    }

    private static func post(_ target: URL, _ payload: Data) async -> String? {
        var request = URLRequest(url: target, timeoutInterval: 3)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = payload
        do {
            let (data, response) = try await Self.session.data(for: request)
            guard let http = response as? HTTPURLResponse, (200..<300).contains(http.statusCode) else { return nil }
            return try JSONCoding.decoder().decode(InputWebhookResponse.self, from: data).next
        } catch {
            return nil
        }
    }

    /// Never follows a redirect: a public webhook could otherwise send the POST on to an address of our own network
    /// (a 307 or 308 repeats it with its body). A redirect is an answer that is not 2xx, so the fallback runs.
    private static let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)

    private final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse, newRequest request: URLRequest,
            completionHandler: @escaping @Sendable (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }

    /// Lets exactly one of two racing tasks resume the continuation.
    private final class Once: Sendable {
        private let done = Mutex(false)

        func claim() -> Bool {
            done.withLock { done in
                defer { done = true }
                return !done
            }
        }
    }
}

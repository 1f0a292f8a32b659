import AsyncHTTPClient
import Contracts
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit
import Synchronization

/// CR-04, WH-09: the input node's real-time POST to the customer's webhook. The caller is waiting, so the answer
/// must come within 3 seconds; anything else (timeout, non-2xx, unreadable JSON) sends the call down the fallback.
/// A URL that points into the platform's own network, as published or as resolved now, is not asked at all.
struct InputWebhookClient: Sendable {
    static let timeout: Duration = .seconds(3)
    let policy: OutboundURLPolicy
    /// Made by `client()`: it never follows a redirect.
    let http: HTTPClient

    /// The client for these requests. A redirect is never followed: a public webhook could otherwise send the POST on
    /// to an address of our own network (a 307 or 308 repeats it with its body). A redirect is an answer that is not
    /// 2xx, so the fallback runs.
    static func client() -> HTTPClient {
        HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(3), read: .seconds(3))))
    }

    func ask(url: String, request body: InputWebhookRequest, company: CompanyID) async -> String? {
        guard policy.refusal(of: url) == nil, let target = URL(string: url), let host = target.host,
            let payload = try? JSONCoding.encoder().encode(body)
        else { return nil }
        // The answer is due 3 seconds from now whatever takes the time (resolving the name, connecting, the answer's
        // body): race the work against a clock, and leave a resolution that is still running to finish on its own.
        return await withCheckedContinuation { continuation in
            let once = Once()
            let work = Task {
                let answer = await policy.resolvesToPublicAddresses(host, for: company.description) ? await post(target, payload) : nil
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

    private func post(_ target: URL, _ payload: Data) async -> String? {
        var request = HTTPClientRequest(url: target.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: payload))
        do {
            let response = try await http.execute(request, timeout: .seconds(3))
            let body = try await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(response.status.code) else { return nil }
            return try JSONCoding.decoder().decode(InputWebhookResponse.self, from: Data(body.readableBytesView)).next
        } catch {
            return nil
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

import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Meta's WhatsApp Cloud API as Campaigns uses it: send a message, submit a template. `baseURL` is
/// `https://graph.facebook.com` in production and the sandbox or an in-test fake elsewhere.
struct CloudAPIClient: Sendable {
    let http: HTTPClient
    let baseURL: String
    let version: String
    let accessToken: String

    /// The Cloud API's accepted message: its id (`wamid.…`) is the key of every later status webhook.
    struct Accepted: Sendable, Equatable {
        var providerMessageID: String?
    }

    enum Outcome: Sendable, Equatable {
        case accepted(Accepted)
        case failed(SendFailure)
    }

    /// `POST /{version}/{phone-number-id}/messages`. Never throws. Meta has no idempotency key, so only a failure
    /// that certainly sent nothing may be retried: an answer saying so, or a connection that never opened. A request
    /// that went out and got no answer (timeout, reset, cancellation) has an unknown outcome and is not repeated.
    /// `marketingLite`: CA-47, through the Marketing Messages Lite API; the same payload and answers, another endpoint.
    func send(_ body: Data, from phoneNumberID: String, marketingLite: Bool = false) async -> Outcome {
        do {
            let (status, data) = try await post("\(version)/\(phoneNumberID)/\(marketingLite ? "marketing_messages" : "messages")", body: body)
            if (200..<300).contains(status) {
                // Accepted; an answer we cannot read still means the provider took the message.
                let id = (try? JSONDecoder().decode(SendReply.self, from: data))?.messages.first?.id
                return .accepted(Accepted(providerMessageID: id))
            }
            let error = try? JSONDecoder().decode(ErrorReply.self, from: data)
            return .failed(SendFailure.classify(
                httpStatus: status, metaCode: error?.error.code, message: error?.error.message ?? "HTTP \(status) from the WhatsApp provider"))
        } catch {
            if Self.neverConnected(error) {
                return .failed(.retry(code: "network", message: "The WhatsApp provider could not be reached: \(error)"))
            }
            return .failed(.unknown(message: "The request to the WhatsApp provider got no answer (\(error)); it is not repeated, so no one gets it twice."))
        }
    }

    /// Errors raised before a connection existed, so before any byte of the request left.
    static func neverConnected(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError, error == .connectTimeout { return true }
        if error is NIOConnectionError { return true }
        if let error = error as? IOError, [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(error.errnoCode) { return true }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        return false
    }

    struct SubmittedTemplate: Sendable, Equatable {
        var id: String
        var status: String
        var category: String?
    }

    enum TemplateSubmission: Sendable, Equatable {
        case submitted(SubmittedTemplate)
        case refused(code: String, message: String)
        /// The provider certainly did not take it: no connection, or throttled.
        case unavailable(String)
        /// The provider may have taken it: the request went out and no readable answer came back (a timeout, a
        /// reset, a 5xx, a success we cannot read).
        case unanswered(String)
    }

    /// `POST /{version}/{waba-id}/message_templates` (D-11): the provider answers PENDING and decides later.
    func submitTemplate(_ body: Data, waba: String) async -> TemplateSubmission {
        do {
            let (status, data) = try await post("\(version)/\(waba)/message_templates", body: body)
            if (200..<300).contains(status) {
                guard let reply = try? JSONDecoder().decode(TemplateReply.self, from: data) else { return .unanswered("an unreadable HTTP \(status) answer") }
                return .submitted(SubmittedTemplate(id: reply.id, status: reply.status, category: reply.category))
            }
            if status == 429 { return .unavailable("HTTP 429") }
            if status >= 500 { return .unanswered("HTTP \(status)") }
            let error = try? JSONDecoder().decode(ErrorReply.self, from: data)
            return .refused(code: error.map { String($0.error.code) } ?? "http.\(status)", message: error?.error.message ?? "HTTP \(status)")
        } catch {
            return Self.neverConnected(error) ? .unavailable("\(error)") : .unanswered("\(error)")
        }
    }

    enum TemplateLookup: Sendable, Equatable {
        case found(SubmittedTemplate)
        case notFound
        case unavailable
    }

    /// `GET /{version}/{waba-id}/message_templates?name=…`: the account's template of this name and language, as a
    /// submission whose answer was lost may have left it. Meta matches names partly, so the list may run to several
    /// pages: they are followed (`paging.next`, on the provider's own host only, since it carries the token) up to
    /// `maxTemplatePages`. Only a list read to its end without the template is `notFound`; any other answer is
    /// `unavailable`, so that nothing is concluded from an error.
    func findTemplate(name: String, language: String, waba: String) async -> TemplateLookup {
        var components = URLComponents(string: "\(baseURL)/\(version)/\(waba)/message_templates")
        components?.queryItems = [
            URLQueryItem(name: "name", value: name), URLQueryItem(name: "fields", value: "id,name,language,status,category"),
            URLQueryItem(name: "limit", value: String(Self.templatePageSize)),
        ]
        guard var url = components?.string else { return .unavailable }
        for _ in 0..<Self.maxTemplatePages {
            do {
                var request = HTTPClientRequest(url: url)
                request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
                let response = try await http.execute(request, timeout: .seconds(15))
                let data = Data(try await response.body.collect(upTo: 4 << 20).readableBytesView)
                guard response.status.code == 200, let list = try? JSONDecoder().decode(TemplateList.self, from: data) else { return .unavailable }
                if let match = list.data.first(where: { $0.name == name && $0.language == language }) {
                    return .found(SubmittedTemplate(id: match.id, status: match.status, category: match.category))
                }
                guard let next = list.paging?.next else {
                    // A full page without a next one may still not be the end: nothing is concluded then.
                    return list.data.count >= Self.templatePageSize ? .unavailable : .notFound
                }
                guard next.hasPrefix(baseURL + "/") else { return .unavailable }
                url = next
            } catch {
                return .unavailable
            }
        }
        return .unavailable
    }

    static let templatePageSize = 100
    static let maxTemplatePages = 10

    private struct TemplateList: Decodable {
        struct Entry: Decodable {
            var id: String
            var name: String
            var language: String
            var status: String
            var category: String?
        }
        struct Paging: Decodable {
            var next: String?
        }
        var data: [Entry]
        var paging: Paging?
    }

    /// `GET /{version}/{waba-id}/phone_numbers`: the numbers the business account owns, by provider id; nil when the
    /// provider cannot be asked now.
    func phoneNumbers(waba: String) async -> Set<String>? {
        do {
            var request = HTTPClientRequest(url: "\(baseURL)/\(version)/\(waba)/phone_numbers?limit=1000")
            request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
            let response = try await http.execute(request, timeout: .seconds(15))
            let data = Data(try await response.body.collect(upTo: 4 << 20).readableBytesView)
            guard response.status.code == 200, let list = try? JSONDecoder().decode(PhoneNumberList.self, from: data) else {
                return response.status.code >= 500 ? nil : []
            }
            return Set(list.data.map(\.id))
        } catch {
            return nil
        }
    }

    private struct PhoneNumberList: Decodable {
        struct Entry: Decodable { var id: String }
        var data: [Entry]
    }

    private func post(_ path: String, body: Data) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: "\(baseURL)/\(path)")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(request, timeout: .seconds(15))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), Data(buffer.readableBytesView))
    }

    private struct SendReply: Decodable {
        struct Message: Decodable { var id: String }
        var messages: [Message]
    }

    private struct TemplateReply: Decodable {
        var id: String
        var status: String
        var category: String?
    }

    private struct ErrorReply: Decodable {
        struct Body: Decodable {
            var message: String
            var code: Int
        }
        var error: Body
    }
}

import Foundation
import Hummingbird
import Logging
import Synchronization

/// Meta's messages endpoint and Billing's reservation endpoints, answering at once. `GET /bench/window` says how
/// many messages it accepted and when the first and the last of the current window arrived (wall-clock seconds,
/// so another process can compare them with its own clock); `POST /bench/window/reset` opens a new window.
/// `loadgen fake-cloud --port P` runs it as a process of its own, as the real provider is on another machine.
final class FastCloud: Sendable {
    struct Window: Codable, Sendable {
        var accepted: Int
        var first: Double?
        var last: Double?
    }

    let port: Int
    private let counter = Atomic<Int>(0)
    /// Provider ids are unique forever, across runs too (the column is UNIQUE).
    private let run = UUID().uuidString.prefix(8).lowercased()
    private let times = Mutex<(first: Double?, last: Double?)>((nil, nil))

    init(port: Int) { self.port = port }

    func application(logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.post(":version/:owner/messages") { _, _ -> Response in
            let count = self.counter.add(1, ordering: .relaxed).newValue
            let now = Date().timeIntervalSince1970
            self.times.withLock { $0 = ($0.first ?? now, now) }
            return Self.json(#"{"messaging_product":"whatsapp","contacts":[{"input":"x","wa_id":"x"}],"messages":[{"id":"wamid.bench.\#(self.run).\#(count)"}]}"#)
        }
        // The sandbox's rule: a business account owns the ids made of its own id and two digits.
        router.get(":version/:owner/phone_numbers") { _, context -> Response in
            let waba = try context.parameters.require("owner")
            return Self.json(#"{"data":[\#((1...9).map { #"{"id":"\#(waba)0\#($0)"}"# }.joined(separator: ","))]}"#)
        }
        router.post("v1/billing/reservations") { _, _ -> Response in
            Self.json(#"{"id":"\#(UUID().uuidString.lowercased())","amount":100,"status":"held"}"#, status: .created)
        }
        router.post("v1/billing/reservations/:id/release") { _, _ -> Response in Self.json(#"{"id":"x","amount":100,"status":"released"}"#) }
        router.post("v1/billing/quote") { _, _ -> Response in
            Self.json(#"{"estimate":100,"balance":100000000,"reserved":0,"sufficient":true,"minimum_remaining":100}"#)
        }
        router.get("v1/billing/account") { _, _ -> Response in Self.json(#"{"balance":100000000,"reserved":0,"status":"active"}"#) }
        router.get("bench/window") { _, _ -> Response in
            let (first, last) = self.times.withLock { $0 }
            let window = Window(accepted: self.counter.load(ordering: .relaxed), first: first, last: last)
            return Self.json(String(decoding: try JSONEncoder().encode(window), as: UTF8.self))
        }
        router.post("bench/window/reset") { _, _ -> Response in
            self.times.withLock { $0 = (nil, nil) }
            return Self.json("{}")
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
    }

    private static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

import Contracts
import Crypto
import Foundation
import Hummingbird
import ServiceKit

/// The call-control API the carrier switch drives (`POST /v1/calls`, `POST /v1/calls/{uid}/events`). The switch is
/// not a user: it authenticates with the shared switch token (`X-Switch-Token`, `MYOP_SWITCH_TOKEN`), and the
/// number it names decides the company.
struct SwitchAPI: Sendable {
    let control: CallControl
    let token: String

    func register(_ router: Router<AppRequestContext>) {
        router.post("v1/calls", use: incoming)
        router.post("v1/calls/:uid/events", use: event)
    }

    @Sendable func incoming(_ request: Request, context: AppRequestContext) async throws -> Response {
        try authenticate(request)
        let body = try await request.decode(as: IncomingCallRequest.self, context: context)
        let incoming = try body.validated(now: Date())
        return try await Self.timed { try await control.incoming(incoming) }
    }

    @Sendable func event(_ request: Request, context: AppRequestContext) async throws -> Response {
        try authenticate(request)
        let uid = try context.id("uid", as: CallID.self)
        let body = try await request.decode(as: SwitchEventRequest.self, context: context)
        let event = try body.event()
        let at = try SwitchClock.check(body.at, now: Date())
        return try await Self.timed { try await control.event(uid, event, eventID: body.eventID, at: at) }
    }

    private func authenticate(_ request: Request) throws {
        let presented = Data((request.header("X-Switch-Token") ?? "").utf8)
        let expected = Data(token.utf8)
        // Compare digests so the comparison takes the same time wherever the tokens differ.
        guard SHA256.hash(data: presented) == SHA256.hash(data: expected), !presented.isEmpty else {
            throw APIError(.unauthorized, code: "auth.switch_token", message: "Send the switch token in the X-Switch-Token header.")
        }
    }

    /// The decision's own time goes back in a `Server-Timing` header (`decision;dur=<ms>`), so the switch and
    /// `loadgen route` can tell routing time from network time.
    static func timed(_ decide: () async throws -> String) async throws -> Response {
        let start = ContinuousClock.now
        let answer = try await decide()
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        var response = json(answer, status: .ok)
        response.setHeader("Server-Timing", "decision;dur=" + String(format: "%.3f", milliseconds))
        return response
    }

    /// The stored answer goes out byte for byte, so a resent request gets exactly what the first one got.
    static func json(_ text: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

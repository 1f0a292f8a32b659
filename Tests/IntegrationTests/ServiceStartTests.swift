import Billing
import Contracts
import Foundation
import Logging
import Messaging
import ServiceKit
import Testing

/// A real service process body (`ServiceHost.run`), against the real database and broker.
@Suite("Service start-up")
struct ServiceStartTests {
    @Test("a service applies its migrations, declares its queues, serves /healthz, /readyz, /metrics and its dead letters, and guards /v1 with JWT")
    func billingStarts() async throws {
        // Through `withBilling`, like every Billing of the run: they all work on the same schema, and one with other
        // settings (the default gateway, where nothing listens in tests) would take the other tests' auto-recharges.
        try await withBilling { billing in
            let base = billing.base
            let configuration = billing.configuration
            let ready = try await get(base, "/readyz")
            #expect(String(decoding: ready.body, as: UTF8.self).contains(#""database":"up""#))
            #expect(try await get(base, "/healthz").status == 200)
            #expect(try await get(base, "/metrics").status == 200)

            let anonymous = try await get(base, "/v1/me")
            #expect(anonymous.status == 401)
            #expect(String(decoding: anonymous.body, as: UTF8.self).contains(#""code":"auth.unauthenticated""#))
            let expired = try await TokenVerifier(secret: configuration.jwtSecret).token(
                for: Identity(userID: UserID(), companyID: CompanyID(), role: .billing), expiresIn: -600)
            #expect(try await get(base, "/v1/me", token: expired).status == 401)
            let company = CompanyID()
            let valid = try await TokenVerifier(secret: configuration.jwtSecret).token(
                for: Identity(userID: UserID(), companyID: company, role: .billing))
            let me = try await get(base, "/v1/me", token: valid)
            #expect(me.status == 200)
            #expect(String(decoding: me.body, as: UTF8.self).contains(company.description))
            // Every service serves its dead letters (DeadLetters), to owners and admins.
            #expect(try await get(base, "/v1/dead-letters", token: valid).status == 403)
            let owner = try await TokenVerifier(secret: configuration.jwtSecret).token(for: Identity(userID: UserID(), companyID: company, role: .owner))
            let letters = try await get(base, "/v1/dead-letters", token: owner)
            #expect(letters.status == 200)
            #expect(String(decoding: letters.body, as: UTF8.self).contains(#""items":[]"#))

            let probe = try TestEnvironment.connection("probe")
            probe.start()
            try await probe.waitUntilConnected()
            for queue in Subscriptions.queues {
                #expect(try await probe.status(ofQueue: queue.name) != nil, "\(queue.name) declared")
                #expect(try await probe.status(ofQueue: queue.deadLetterQueue) != nil, "\(queue.deadLetterQueue) declared")
            }
            await probe.shutdown()
        }
    }

    private func get(_ base: URL, _ path: String, token: String? = nil) async throws -> (status: Int, body: Data) {
        let reply = try await ServiceClient(base: base, jwtSecret: "").call("GET", path, token: token)
        return (reply.status, reply.body)
    }
}

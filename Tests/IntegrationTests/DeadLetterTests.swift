import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Messaging
import ServiceKit
import Storage
import Synchronization
import Testing

/// Dead letters listed and replayed through a service's API (ARCHITECTURE.md), against the real broker: a company
/// sees and replays only its own (D-28), reading puts everything back, and a replayed event is applied once.
@Suite("Dead letters", .serialized)
struct DeadLetterTests {
    @Test("take reads a parked message with why it died; requeued it stays, acked it goes")
    func takeAndSettle() async throws {
        let queue = testQueue("take", deliveryLimit: 2)
        let connection = try TestEnvironment.connection("take", queues: [queue])
        try await running([connection]) {
            try await connection.waitUntilConnected()
            let envelopes = try numberedEnvelopes(0..<3, routingKey: queue.bindings[0])
            try await connection.publish(envelopes.map(OutgoingMessage.init))
            // Rejected by a consumer: the broker parks them with the reason `rejected`.
            let subscription = connection.subscribe(queue: queue.name)
            var received: [Delivery] = []
            while received.count < 3 { received += await subscription.next(max: 3) }
            subscription.settle(received.map { ($0, .reject) })
            await subscription.cancel()
            try await eventually("parked") { try await connection.status(ofQueue: queue.deadLetterQueue)?.messages == 3 }

            let taken = try await connection.take(from: queue.deadLetterQueue, max: 10)
            #expect(taken.count == 3)
            #expect(Set(taken.compactMap(\.messageID)) == Set(envelopes.map(\.header.id.description)))
            #expect(taken.map(\.deadLetterReason) == ["rejected", "rejected", "rejected"])
            #expect(try await connection.take(from: queue.deadLetterQueue, max: 10).isEmpty)  // held, so not handed out twice
            connection.settleTaken(taken.map { ($0, .requeue) })
            try await eventually("put back") { try await connection.status(ofQueue: queue.deadLetterQueue)?.messages == 3 }

            let again = try await connection.take(from: queue.deadLetterQueue, max: 2)
            #expect(again.count == 2)
            connection.settleTaken(again.map { ($0, .ack) })
            try await eventually("two removed") { try await connection.status(ofQueue: queue.deadLetterQueue)?.messages == 1 }
        }
    }

    @Test("a company lists only its own dead letters, and a replay applies each of them exactly once")
    func listAndReplayPerCompany() async throws {
        try await withPostgres { client in
            let effects = try await Effects.make(client, prefix: "it_deadletters")
            let queue = testQueue("deadletters", deliveryLimit: 2)
            let companyA = CompanyID()
            let companyB = CompanyID()
            let ofA = try numberedEnvelopes(0..<2, routingKey: queue.bindings[0], company: companyA)
            let ofB = try numberedEnvelopes(2..<3, routingKey: queue.bindings[0], company: companyB)
            let good = try numberedEnvelopes(10..<20, routingKey: queue.bindings[0], company: companyA)
            // The handler fails for sequences below 10 until it is "fixed".
            let fixed = Flag()
            let connection = try TestEnvironment.connection("deadletters", queues: [queue])
            let consumer = InboxConsumer(
                name: "effects", database: effects.database, connection: connection, configuration: .init(queue: queue.name, maxBatch: 10),
                logger: TestEnvironment.logger
            ) { context in
                let event = try context.decode(Numbered.self)
                if event.data.sequence < 10 && !fixed.isSet { throw PoisonError() }
                try await effects.record(context)
            }
            let deadLetters = DeadLetters(connection: connection, queues: [queue])
            try await running([connection, consumer]) {
                try await connection.waitUntilConnected()
                try await connection.publish((ofA + ofB + good).map(OutgoingMessage.init))
                try await eventually("good ones applied") { try await effects.count() == 10 }
                try await eventually("three parked") { try await connection.status(ofQueue: queue.deadLetterQueue)?.messages == 3 }

                let listingA = try await deadLetters.list(company: companyA, limit: 100)
                #expect(listingA.scanned == 3)
                #expect(Set(listingA.letters.map(\.header.id)) == Set(ofA.map(\.header.id)))
                #expect(listingA.letters.allSatisfy { $0.queue == queue.name && $0.reason == "delivery_limit" })
                #expect(Set(listingA.letters.map { String(decoding: $0.body, as: UTF8.self) }) == Set(ofA.map { String(decoding: $0.body, as: UTF8.self) }))
                let listingB = try await deadLetters.list(company: companyB, limit: 100)
                #expect(listingB.letters.map(\.header.id) == ofB.map(\.header.id))
                #expect(try await deadLetters.list(company: companyA, limit: 1).letters.count == 1)
                try await eventually("reading put them all back") { try await connection.status(ofQueue: queue.deadLetterQueue)?.messages == 3 }

                fixed.set()
                let stranger = EventID()
                let asked = Set(ofA.map(\.header.id) + ofB.map(\.header.id) + [stranger])
                let replay = try await deadLetters.replay(company: companyA, eventIDs: asked)
                #expect(Set(replay.replayed) == Set(ofA.map(\.header.id)))
                #expect(Set(replay.notFound) == Set(ofB.map(\.header.id) + [stranger]))
                try await eventually("replayed ones applied") { try await effects.count() == 12 }
                try await eventually("only B's left parked") { try await connection.status(ofQueue: queue.deadLetterQueue)?.messages == 1 }
                // Replayed again (a retry after a lost answer): nothing is parked under those ids any more.
                #expect(try await deadLetters.replay(company: companyA, eventIDs: Set(ofA.map(\.header.id))).replayed.isEmpty)
                #expect(try await deadLetters.list(company: companyB, limit: 100).letters.map(\.header.id) == ofB.map(\.header.id))
            }
            #expect(try await effects.count() == 12)
            #expect(try await effects.count("SELECT count(DISTINCT event_id) FROM SCHEMA.effects") == 12)
        }
    }

    @Test("the API: owner and admin only (D-27), a company's own letters, 400s that name the field")
    func api() async throws {
        let queue = testQueue("deadletters.api", deliveryLimit: 2)
        let connection = try TestEnvironment.connection("deadletters.api", queues: [queue])
        let company = CompanyID()
        let parked = try numberedEnvelopes(0..<1, routingKey: queue.bindings[0], company: company)
        let secret = "test-secret-0123456789-0123456789-abcdef"
        let verifier = await TokenVerifier(secret: secret)
        var headers: [Role: HTTPFields] = [:]
        for role in Role.allCases {
            let token = try await verifier.token(for: Identity(userID: UserID(), companyID: company, role: role), expiresIn: 600)
            headers[role] = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        }
        let bearer = headers
        try await running([connection]) {
            try await connection.waitUntilConnected()
            try await connection.publish(parked.map(OutgoingMessage.init))
            let subscription = connection.subscribe(queue: queue.name)
            let received = await subscription.next(max: 1)
            subscription.settle(received.map { ($0, .reject) })
            await subscription.cancel()
            try await eventually("parked") { try await connection.status(ofQueue: queue.deadLetterQueue)?.messages == 1 }

            let router = RouterBuilder.build(
                components: ServiceComponents(), verifier: verifier, readiness: nil, metrics: nil, maxBodyBytes: 4_096,
                deadLetters: DeadLetters(connection: connection, queues: [queue]))
            try await Application(router: router).test(.router) { client in
                for role in [Role.manager, .agent, .billing] {
                    try await client.execute(uri: "/v1/dead-letters", method: .get, headers: bearer[role]!) { response in
                        #expect(response.status == .forbidden)
                        let problem = try Self.error(response)
                        #expect(problem.code == "auth.forbidden")
                    }
                }
                try await client.execute(uri: "/v1/dead-letters?queue=nope", method: .get, headers: bearer[.admin]!) { response in
                    #expect(response.status == .badRequest)
                    let problem = try Self.error(response)
                    #expect(problem.field == "queue")
                }
                try await client.execute(uri: "/v1/dead-letters?limit=0", method: .get, headers: bearer[.admin]!) { response in
                    #expect(response.status == .badRequest)
                    let problem = try Self.error(response)
                    #expect(problem.field == "limit")
                }
                try await client.execute(uri: "/v1/dead-letters?queue=\(queue.name)", method: .get, headers: bearer[.admin]!) { response in
                    #expect(response.status == .ok)
                    let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                    let data = try #require(body["data"] as? [[String: Any]])
                    #expect(data.count == 1)
                    #expect(data.first?["event_id"] as? String == parked[0].header.id.description)
                    #expect(data.first?["reason"] as? String == "rejected")
                    #expect(data.first?["envelope"] as? String == String(decoding: parked[0].body, as: UTF8.self))
                }
                let badID = ByteBuffer(string: #"{"event_ids":["\#(parked[0].header.id)","not-a-uuid"]}"#)
                try await client.execute(uri: "/v1/dead-letters/replay", method: .post, headers: bearer[.owner]!, body: badID) { response in
                    #expect(response.status == .badRequest)
                    let problem = try Self.error(response)
                    #expect(problem.field == "event_ids[1]")
                }
                try await client.execute(
                    uri: "/v1/dead-letters/replay", method: .post, headers: bearer[.owner]!, body: ByteBuffer(string: #"{"event_ids":[]}"#)
                ) { response in
                    #expect(response.status == .badRequest)
                    let problem = try Self.error(response)
                    #expect(problem.field == "event_ids")
                }
                let replay = ByteBuffer(string: #"{"event_ids":["\#(parked[0].header.id)"]}"#)
                try await client.execute(uri: "/v1/dead-letters/replay", method: .post, headers: bearer[.owner]!, body: replay) { response in
                    #expect(response.status == .ok)
                    let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: [String]])
                    #expect(body["replayed"] == [parked[0].header.id.description])
                    #expect(body["not_found"] == [])
                }
            }
            try await eventually("back on its queue") { try await connection.status(ofQueue: queue.name)?.messages == 1 }
            #expect(try await connection.status(ofQueue: queue.deadLetterQueue)?.messages == 0)
        }
    }

    static func error(_ response: TestResponse) throws -> (code: String, field: String?) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: [String: String]])
        let error = try #require(object["error"])
        return (try #require(error["code"]), error["field"])
    }
}

final class Flag: Sendable {
    private let value = Atomic(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}

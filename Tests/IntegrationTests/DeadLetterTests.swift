import Contracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Messaging
import PostgresNIO
import ServiceKit
import Storage
import Synchronization
import Testing

/// Dead letters kept, listed and replayed through a service's API (ARCHITECTURE.md), against the real broker and
/// database: a company sees and replays only its own (D-28), and a replayed event is applied once.
@Suite("Dead letters")
struct DeadLetterTests {
    /// A consumer schema with an effects table and the services' `dead_letters` table (CallRouter's migration).
    static func schema(_ client: PostgresClient, prefix: String) async throws -> Effects {
        let database = try await makeSchema(
            client, prefix: prefix,
            extraSQL: "CREATE TABLE SCHEMA.effects (event_id uuid NOT NULL, sequence integer NOT NULL);\n" + (try deadLetterTable(in: "SCHEMA")))
        return Effects(database: database)
    }

    /// CallRouter's `dead_letters` migration, for the schema named.
    static func deadLetterTable(in schema: String) throws -> String {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Services/CallRouter/Migrations/0010_keep_dead_letters.sql").standardized
        return try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "callrouter.", with: schema + ".")
    }

    /// Publishes `envelopes` (and `extra`) and rejects them all, so the broker parks them in `queue.dead` at once.
    static func park(_ envelopes: [EncodedEnvelope], extra: [OutgoingMessage] = [], in queue: QueueSpec, on connection: AMQPConnection) async throws {
        try await connection.publish(envelopes.map(OutgoingMessage.init) + extra)
        let subscription = connection.subscribe(queue: queue.name)
        var received: [Delivery] = []
        while received.count < envelopes.count + extra.count { received += await subscription.next(max: 100) }
        subscription.settle(received.map { ($0, .reject) })
        await subscription.cancel()
    }

    /// A started connection to a port nobody listens on: every command fails as the broker being down.
    static func unreachable(_ name: String) -> AMQPConnection {
        AMQPConnection(
            configuration: AMQPConfiguration(
                url: AMQPURL("amqp://guest:guest@127.0.0.1:9/")!, connectionName: "it.\(name)", reconnectInitialDelay: .milliseconds(50),
                reconnectMaximumDelay: .milliseconds(200)),
            logger: TestEnvironment.logger)
    }

    static func rows(_ effects: Effects) async throws -> Int { try await effects.count("SELECT count(*) FROM SCHEMA.dead_letters") }

    @Test("the keeper moves each parked message into the table once, with why it died; one that is no envelope has no company")
    func keeperKeepsEachOnce() async throws {
        try await withPostgres { client in
            let effects = try await Self.schema(client, prefix: "it_dl_keep")
            let queue = testQueue("dlkeep")
            let connection = try TestEnvironment.connection("dlkeep", queues: [queue])
            let deadLetters = DeadLetters(database: effects.database, publisher: connection)
            let keeper = DeadLetterKeeper(deadLetters: deadLetters, connection: connection, queues: [queue], logger: TestEnvironment.logger)
            let company = CompanyID()
            let envelopes = try numberedEnvelopes(0..<3, routingKey: queue.bindings[0], company: company)
            let garbage = OutgoingMessage(routingKey: queue.bindings[0], messageID: "garbage", type: "x", timestamp: 0, body: Array("{".utf8))
            try await running([connection, keeper]) {
                try await connection.waitUntilConnected()
                try await Self.park(envelopes, extra: [garbage], in: queue, on: connection)
                try await eventually("kept") { try await Self.rows(effects) == 4 }
                try await eventually("parking queue drained") { try await connection.status(ofQueue: queue.deadLetterQueue)?.messages == 0 }
            }
            #expect(try await effects.count("SELECT count(*) FROM SCHEMA.dead_letters WHERE reason = 'rejected' AND queue = '\(queue.name)'") == 4)
            #expect(try await effects.count("SELECT count(*) FROM SCHEMA.dead_letters WHERE company_id = '\(company)'") == 3)
            #expect(try await effects.count("SELECT count(*) FROM SCHEMA.dead_letters WHERE company_id IS NULL AND message_id = 'garbage'") == 1)
            let letters = try await deadLetters.list(company: company, limit: 10)
            #expect(Set(letters.map(\.eventID)) == Set(envelopes.map(\.header.id)))
            #expect(Set(letters.map { String(decoding: $0.body, as: UTF8.self) }) == Set(envelopes.map { String(decoding: $0.body, as: UTF8.self) }))
            #expect(letters.allSatisfy { $0.reason == "rejected" && $0.queue == queue.name })
            // The same parked messages read again (the keeper's ack lost in a crash): still kept once.
            let again = try TestEnvironment.connection("dlkeep.again", queues: [queue])
            try await running([again]) {
                try await again.waitUntilConnected()
                // Acked, not just handed out: with the keeper's connection closed, nothing came back.
                try await Task.sleep(for: .milliseconds(500))
                #expect(try await again.status(ofQueue: queue.deadLetterQueue)?.messages == 0)
                try await Self.park(envelopes, in: queue, on: again)
                let parked = again.subscribe(queue: queue.deadLetterQueue)
                var received: [Delivery] = []
                while received.count < 3 { received += await parked.next(max: 10) }
                try await deadLetters.keep(received, from: queue.name)
                parked.settle(received.map { ($0, .ack) })
                await parked.cancel()
            }
            #expect(try await Self.rows(effects) == 4)
        }
    }

    @Test("the keeper holds what it cannot write and keeps it once the database takes it; texts lose the NUL PostgreSQL refuses")
    func keeperHoldsThroughFailures() async throws {
        try await withPostgres { client in
            // No dead_letters table yet: every write fails, as against a database that is down.
            let database = try await makeSchema(client, prefix: "it_dl_hold")
            let table = database.schema.rawValue + ".dead_letters"
            let queue = testQueue("dlhold")
            let connection = try TestEnvironment.connection("dlhold", queues: [queue])
            let deadLetters = DeadLetters(database: database, publisher: connection)
            let keeper = DeadLetterKeeper(
                deadLetters: deadLetters, connection: connection, queues: [queue], retryDelay: .milliseconds(20), maximumRetryDelay: .milliseconds(50),
                logger: TestEnvironment.logger)
            let company = CompanyID()
            var envelopes = try numberedEnvelopes(0..<3, routingKey: queue.bindings[0], company: company)
            var withNUL = Envelope(companyID: company, correlationID: "call\u{0}42", data: Numbered(sequence: 3))
            withNUL.type = EventType(rawValue: queue.bindings[0])
            envelopes.append(try EncodedEnvelope(withNUL))
            let parked = envelopes
            try await running([connection, keeper]) {
                try await connection.waitUntilConnected()
                try await Self.park(parked, in: queue, on: connection)
                try await Task.sleep(for: .seconds(2))  // dozens of failed writes
                #expect(try await connection.status(ofQueue: queue.deadLetterQueue)?.messages == 0, "held by the keeper, not handed back")
                let sql = try Self.deadLetterTable(in: database.schema.rawValue)
                try await MigrationRunner(database: database).apply([Migration(version: 3, name: "keep_dead_letters", sql: sql)])
                try await eventually("kept once the table is there") { try await database.count("SELECT count(*) FROM \(table)") == 4 }
            }
            let letters = try await deadLetters.list(company: company, limit: 10)
            #expect(Set(letters.map(\.eventID)) == Set(parked.map(\.header.id)))
            #expect(letters.first { $0.eventID == parked[3].header.id }?.correlationID == "call42")
        }
    }

    @Test("a keeper holding what it cannot write stops at once on shutdown and hands the batch back")
    func keeperStopsWhileHolding() async throws {
        try await withPostgres { client in
            let database = try await makeSchema(client, prefix: "it_dl_stop")  // no dead_letters table: every write fails
            let queue = testQueue("dlstop")
            let connection = try TestEnvironment.connection("dlstop", queues: [queue])
            let keeper = DeadLetterKeeper(
                deadLetters: DeadLetters(database: database, publisher: connection), connection: connection, queues: [queue],
                retryDelay: .seconds(60), logger: TestEnvironment.logger)
            let envelopes = try numberedEnvelopes(0..<2, routingKey: queue.bindings[0])
            let stopping = try await running([connection, keeper]) { () async throws -> ContinuousClock.Instant in
                try await connection.waitUntilConnected()
                try await Self.park(envelopes, in: queue, on: connection)
                try await Task.sleep(for: .milliseconds(500))  // the first write failed; the keeper waits a minute
                return .now
            }
            #expect(ContinuousClock.now - stopping < .seconds(10), "the shutdown did not wait out the pause")
            let probe = try TestEnvironment.connection("dlstop.probe", queues: [queue])
            try await running([probe]) {
                try await probe.waitUntilConnected()
                try await eventually("handed back") { try await probe.status(ofQueue: queue.deadLetterQueue)?.messages == 2 }
            }
        }
    }

    @Test("a company lists only its own dead letters, page by page, and a replay applies each of them exactly once")
    func listAndReplayPerCompany() async throws {
        try await withPostgres { client in
            let effects = try await Self.schema(client, prefix: "it_dl_replay")
            let queue = testQueue("dlreplay", deliveryLimit: 2)
            let companyA = CompanyID()
            let companyB = CompanyID()
            let ofA = try numberedEnvelopes(0..<2, routingKey: queue.bindings[0], company: companyA)
            let ofB = try numberedEnvelopes(2..<3, routingKey: queue.bindings[0], company: companyB)
            let good = try numberedEnvelopes(10..<20, routingKey: queue.bindings[0], company: companyA)
            // The handler fails for sequences below 10 until it is "fixed".
            let fixed = Flag()
            let connection = try TestEnvironment.connection("dlreplay", queues: [queue])
            let consumer = InboxConsumer(
                name: "effects", database: effects.database, connection: connection, configuration: .init(queue: queue.name, maxBatch: 10),
                logger: TestEnvironment.logger
            ) { context in
                let event = try context.decode(Numbered.self)
                if event.data.sequence < 10 && !fixed.isSet { throw PoisonError() }
                try await effects.record(context)
            }
            let deadLetters = DeadLetters(database: effects.database, publisher: connection)
            let keeper = DeadLetterKeeper(deadLetters: deadLetters, connection: connection, queues: [queue], logger: TestEnvironment.logger)
            try await running([connection, consumer, keeper]) {
                try await connection.waitUntilConnected()
                try await connection.publish((ofA + ofB + good).map(OutgoingMessage.init))
                try await eventually("good ones applied") { try await effects.count() == 10 }
                try await eventually("three kept") { try await Self.rows(effects) == 3 }

                let lettersA = try await deadLetters.list(company: companyA, limit: 100)
                #expect(Set(lettersA.map(\.eventID)) == Set(ofA.map(\.header.id)))
                #expect(lettersA.allSatisfy { $0.queue == queue.name && $0.reason == "delivery_limit" })
                #expect(try await deadLetters.list(company: companyB, limit: 100).map(\.eventID) == ofB.map(\.header.id))
                let first = try await deadLetters.list(company: companyA, limit: 1)
                let second = try await deadLetters.list(company: companyA, before: first.last?.id, limit: 1)
                #expect(first.count == 1 && second.count == 1 && first[0].id > second[0].id)
                #expect(try await deadLetters.list(company: companyA, before: second.last?.id, limit: 1).isEmpty)

                fixed.set()
                let stranger = EventID()
                let asked = Set(ofA.map(\.header.id) + ofB.map(\.header.id) + [stranger])
                let replay = try await deadLetters.replay(company: companyA, eventIDs: asked)
                #expect(Set(replay.replayed) == Set(ofA.map(\.header.id)))
                #expect(Set(replay.notFound) == Set(ofB.map(\.header.id) + [stranger]))
                try await eventually("replayed ones applied") { try await effects.count() == 12 }
                #expect(try await Self.rows(effects) == 1)
                // Asked again (a retry after a lost answer): nothing is kept under those ids any more.
                #expect(try await deadLetters.replay(company: companyA, eventIDs: Set(ofA.map(\.header.id))).replayed.isEmpty)
            }
            #expect(try await effects.count() == 12)
            #expect(try await effects.count("SELECT count(DISTINCT event_id) FROM SCHEMA.effects") == 12)
            #expect(try await effects.count("SELECT count(*) FROM SCHEMA.dead_letters WHERE company_id = '\(companyB)'") == 1)
        }
    }

    @Test("a replayed letter of an event applied long ago is still recognised when the inbox is pruned before the copy is consumed")
    func replayRestartsRetention() async throws {
        try await withPostgres { client in
            let effects = try await Self.schema(client, prefix: "it_dl_prune")
            let database = effects.database
            let schema = database.schema.rawValue
            let queue = testQueue("dlprune")
            let connection = try TestEnvironment.connection("dlprune", queues: [queue])
            let company = CompanyID()
            let inbox = Inbox(database: database, consumer: "effects")
            let event = try numberedEnvelopes(0..<1, routingKey: queue.bindings[0], company: company)
            #expect(try await inbox.handleBatch(event, handler: effects.record(_:)) == 1)
            try await database.query("UPDATE \(unescaped: schema).inbox SET received_at = now() - interval '31 days'")
            // A second copy was parked; the operator replays it, and the pruning runs before the consumer takes it.
            try await database.query(
                """
                INSERT INTO \(unescaped: schema).dead_letters (queue, event_id, company_id, event_type, occurred_at, body)
                VALUES (\(queue.name), \(event[0].header.id.uuid), \(company.uuid), 'it.numbered', now(), '\\x00'::bytea)
                """)
            try await running([connection]) {
                try await connection.waitUntilConnected()
                let replay = try await DeadLetters(database: database, publisher: connection).replay(company: company, eventIDs: [event[0].header.id])
                #expect(replay.replayed == [event[0].header.id])
            }
            #expect(try await Inbox.prune(database, olderThan: .seconds(30 * 86_400)) == 0)
            #expect(try await inbox.handleBatch(event, handler: effects.record(_:)) == 0)
            #expect(try await effects.count() == 1)
        }
    }

    @Test("a replay the broker does not take (unreachable, or the queue gone) forgets nothing")
    func unconfirmedReplayKeepsTheLetters() async throws {
        try await withPostgres { client in
            let effects = try await Self.schema(client, prefix: "it_dl_down")
            let queue = testQueue("dldown")
            let connection = try TestEnvironment.connection("dldown", queues: [queue])
            let company = CompanyID()
            let envelopes = try numberedEnvelopes(0..<2, routingKey: queue.bindings[0], company: company)
            let deadLetters = DeadLetters(database: effects.database, publisher: connection)
            let keeper = DeadLetterKeeper(deadLetters: deadLetters, connection: connection, queues: [queue], logger: TestEnvironment.logger)
            try await running([connection, keeper]) {
                try await connection.waitUntilConnected()
                try await Self.park(envelopes, in: queue, on: connection)
                try await eventually("kept") { try await Self.rows(effects) == 2 }
            }
            // A publisher whose broker is unreachable.
            let unreachable = Self.unreachable("dldown.unreachable")
            try await running([unreachable]) {
                let stuck = DeadLetters(database: effects.database, publisher: unreachable, confirmTimeout: .milliseconds(200))
                await #expect(throws: AMQPError.self) {
                    try await stuck.replay(company: company, eventIDs: Set(envelopes.map(\.header.id)))
                }
            }
            #expect(try await Self.rows(effects) == 2)
            #expect(try await deadLetters.list(company: company, limit: 10).count == 2)

            // A letter whose queue is gone from the broker: the broker would confirm and drop it, so it is kept.
            let orphan = try numberedEnvelopes(5..<6, routingKey: queue.bindings[0], company: company)[0]
            try await effects.database.query(
                """
                INSERT INTO \(unescaped: effects.database.schema.rawValue).dead_letters (queue, event_id, company_id, event_type, occurred_at, body)
                VALUES ('it.gone.\(UUID())', \(orphan.header.id.uuid), \(company.uuid), 'it.numbered', now(), \(ByteBuffer(bytes: orphan.body)))
                """)
            let probe = try TestEnvironment.connection("dldown.probe")
            try await running([probe]) {
                try await probe.waitUntilConnected()
                let live = DeadLetters(database: effects.database, publisher: probe)
                await #expect(throws: DeadLetters.QueueMissing.self) {
                    try await live.replay(company: company, eventIDs: [orphan.header.id])
                }
            }
            #expect(try await Self.rows(effects) == 3)
        }
    }

    @Test("the API: owner and admin only (D-27), a company's own letters, 400s that name the field, 503 when the broker fails")
    func api() async throws {
        try await withPostgres { client in
            let effects = try await Self.schema(client, prefix: "it_dl_api")
            let queue = testQueue("dlapi")
            let connection = try TestEnvironment.connection("dlapi", queues: [queue])
            let company = CompanyID()
            let parked = try numberedEnvelopes(0..<1, routingKey: queue.bindings[0], company: company)
            let verifier = await TokenVerifier(secret: "test-secret-0123456789-0123456789-abcdef")
            var headers: [Role: HTTPFields] = [:]
            for role in Role.allCases {
                let token = try await verifier.token(for: Identity(userID: UserID(), companyID: company, role: role), expiresIn: 600)
                headers[role] = [.authorization: "Bearer \(token)", .contentType: "application/json"]
            }
            let bearer = headers
            let strangerToken = try await verifier.token(for: Identity(userID: UserID(), companyID: CompanyID(), role: .owner), expiresIn: 600)
            let stranger: HTTPFields = [.authorization: "Bearer \(strangerToken)", .contentType: "application/json"]
            let deadLetters = DeadLetters(database: effects.database, publisher: connection)
            let keeper = DeadLetterKeeper(deadLetters: deadLetters, connection: connection, queues: [queue], logger: TestEnvironment.logger)
            let unreachable = Self.unreachable("dlapi.unreachable")
            try await running([connection, keeper, unreachable]) {
                try await connection.waitUntilConnected()
                try await Self.park(parked, in: queue, on: connection)
                try await eventually("kept") { try await Self.rows(effects) == 1 }
                let router = RouterBuilder.build(
                    components: ServiceComponents(), verifier: verifier, readiness: nil, metrics: nil, maxBodyBytes: 4_096,
                    deadLetters: DeadLetterRoutes(deadLetters: deadLetters, queues: [queue]))
                let failing = RouterBuilder.build(
                    components: ServiceComponents(), verifier: verifier, readiness: nil, metrics: nil, maxBodyBytes: 4_096,
                    deadLetters: DeadLetterRoutes(
                        deadLetters: DeadLetters(database: effects.database, publisher: unreachable), queues: [queue]))
                let replayBody = ByteBuffer(string: #"{"event_ids":["\#(parked[0].header.id)"]}"#)
                try await Application(router: failing).test(.router) { client in
                    try await client.execute(uri: "/v1/dead-letters/replay", method: .post, headers: bearer[.owner]!, body: replayBody) { response in
                        #expect(response.status == .serviceUnavailable)
                        let problem = try Self.error(response)
                        #expect(problem.code == "broker.unavailable")
                    }
                }
                try await Application(router: router).test(.router) { client in
                    for role in [Role.manager, .agent, .billing] {
                        try await client.execute(uri: "/v1/dead-letters", method: .get, headers: bearer[role]!) { response in
                            #expect(response.status == .forbidden)
                            let problem = try Self.error(response)
                            #expect(problem.code == "auth.forbidden")
                        }
                    }
                    try await client.execute(uri: "/v1/dead-letters/replay", method: .post, headers: bearer[.manager]!, body: replayBody) { response in
                        #expect(response.status == .forbidden)
                    }
                    // Another company's owner neither sees nor replays the letter.
                    try await client.execute(uri: "/v1/dead-letters", method: .get, headers: stranger) { response in
                        #expect(response.status == .ok)
                        #expect(String(decoding: response.body.readableBytesView, as: UTF8.self).contains(#""items":[]"#))
                    }
                    try await client.execute(uri: "/v1/dead-letters/replay", method: .post, headers: stranger, body: replayBody) { response in
                        #expect(response.status == .ok)
                        let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: [String]])
                        #expect(body["replayed"] == [])
                        #expect(body["not_found"] == [parked[0].header.id.description])
                    }
                    for (query, field) in [("queue=nope", "queue"), ("limit=0", "limit"), ("limit=x", "limit"), ("before=-1", "before")] {
                        try await client.execute(uri: "/v1/dead-letters?\(query)", method: .get, headers: bearer[.admin]!) { response in
                            #expect(response.status == .badRequest)
                            let problem = try Self.error(response)
                            #expect(problem.field == field)
                        }
                    }
                    try await client.execute(uri: "/v1/dead-letters?queue=\(queue.name)", method: .get, headers: bearer[.admin]!) { response in
                        #expect(response.status == .ok)
                        let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                        let items = try #require(body["items"] as? [[String: Any]])
                        #expect(items.count == 1)
                        #expect(items.first?["event_id"] as? String == parked[0].header.id.description)
                        #expect(items.first?["reason"] as? String == "rejected")
                        #expect(items.first?["envelope"] as? String == String(decoding: parked[0].body, as: UTF8.self))
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
                    try await client.execute(uri: "/v1/dead-letters/replay", method: .post, headers: bearer[.owner]!, body: replayBody) { response in
                        #expect(response.status == .ok)
                        let body = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: [String]])
                        #expect(body["replayed"] == [parked[0].header.id.description])
                        #expect(body["not_found"] == [])
                    }
                }
                try await eventually("back on its queue") { try await connection.status(ofQueue: queue.name)?.messages == 1 }
                #expect(try await Self.rows(effects) == 0)
            }
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

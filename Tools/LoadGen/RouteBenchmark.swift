import CallRouter
import Contracts
import Foundation
import FoundationNetworking
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Logging
import PostgresNIO
import ServiceKit
import Storage
import Synchronization

/// `loadgen route`: a real CallRouter (`ServiceHost`, HTTP, PostgreSQL) driven the way a switch drives it, with
/// `--calls` calls live at once. Every call is set up (`POST /v1/calls`, the IVR menu), then a key routes it to a
/// department (serial, simultaneous or balanced), an agent answers, and it hangs up: four routing decisions. As each
/// call ends a new one starts, so the live count stays at `--calls`. Latency is read two ways: the decision's own
/// time from the `Server-Timing` header, and the round trip the switch sees. The yardstick, measured in the same
/// run, is PostgreSQL alone doing the same number of one-row transactions from as many tasks.
struct RouteBenchmark {
    let options: Options

    struct Sample: Sendable {
        var kind: Kind
        var server: Double
        var roundTrip: Double

        enum Kind: Sendable { case setup, event }
    }

    func run() async throws {
        let live = options.int("calls", default: 1_000)
        let setups = options.int("setups", default: 10_000)
        let inFlight = options.int("in-flight", default: 32)
        let companies = options.int("companies", default: 10)
        var quiet = Logger(label: "loadgen")
        quiet.logLevel = .warning
        let logger = quiet
        let port = Int.random(in: 20_000..<32_000)
        let environment = ProcessInfo.processInfo.environment.merging([
            "MYOP_DATABASE_URL": options.databaseURL,
            "MYOP_AMQP_URL": options.amqpURL,
            "MYOP_HTTP_PORT": "\(port)",
            "MYOP_LOG_LEVEL": "warning",
            CallRouterService.switchTokenVariable: "loadgen-switch-token",
        ]) { _, new in new }
        let configuration = try ServiceConfiguration.load(for: CallRouterService.identity, environment: environment)
        print("loadgen route: \(companies) companies × 80 agents, \(live) calls live at once, \(setups) call setups, \(inFlight) requests in flight")

        let client = PostgresClient(
            configuration: try requireValue(DatabaseURL(options.databaseURL), "bad --database URL").clientConfiguration(maximumConnections: 20),
            backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            group.addTask {
                try await ServiceHost.run(CallRouterService.definition(), configuration: configuration, metrics: nil, logger: logger)
            }
            defer { group.cancelAll() }
            let http = HTTP(base: "http://127.0.0.1:\(port)", switchToken: "loadgen-switch-token", jwtSecret: configuration.jwtSecret)
            try await http.waitUntilReady()

            let raw = try await Self.rawPostgres(client, transactions: setups * 4, tasks: inFlight, logger: logger)
            report("raw PostgreSQL: one-row transactions", count: setups * 4, seconds: raw.seconds, baseline: nil)
            print(String(format: "%@ p50 %.2f ms  p99 %.2f ms", "raw PostgreSQL transaction latency".padding(toLength: 46, withPad: " ", startingAt: 0), raw.p50, raw.p99))

            var offices: [Office] = []
            for _ in 0..<companies { offices.append(try await Office.create(http, client: client)) }
            let samples = Locked<[Sample]>([])
            let clock = ContinuousClock()

            // Fill the system with `live` calls waiting in their menus.
            var waiting: [(String, Office)] = []
            let filler = http.connection()
            for index in 0..<live {
                let office = offices[index % offices.count]
                let (answer, _) = try await http.start(office.numbers[index % 2], on: filler)
                waiting.append((try requireValue(answer["uid"] as? String, "no uid"), office))
            }
            let queue = Locked(waiting)
            let started = Locked(0)
            let begin = clock.now
            try await withThrowingTaskGroup(of: Void.self) { workers in
                for _ in 0..<inFlight {
                    workers.addTask {
                        let connection = http.connection()
                        defer { Task { try? await connection.shutdown() } }
                        while true {
                            let ticket = started.withLock { count -> Int? in
                                guard count < setups else { return nil }
                                count += 1
                                return count
                            }
                            guard let ticket, let (uid, office) = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { return }
                            var mine: [Sample] = []
                            let (routed, routedTime) = try await http.event(uid, #""type":"dtmf","digits":"\#(1 + ticket % 3)""#, on: connection)
                            mine.append(routedTime)
                            if let agent = ((routed["instructions"] as? [[String: Any]])?.first { $0["type"] as? String == "dial" }?["agents"] as? [[String: Any]])?.first?["user_id"] as? String {
                                let (_, answeredTime) = try await http.event(uid, #""type":"offer_answered","agent_id":"\#(agent)""#, on: connection)
                                mine.append(answeredTime)
                            }
                            let (_, hangupTime) = try await http.event(uid, #""type":"hangup""#, on: connection)
                            mine.append(hangupTime)
                            // The slot is refilled: a new call arrives and waits in its menu.
                            let (answer, setupTime) = try await http.start(office.numbers[ticket % 2], on: connection)
                            mine.append(setupTime)
                            if let next = answer["uid"] as? String { queue.withLock { $0.append((next, office)) } }
                            samples.withLock { $0 += mine }
                        }
                    }
                }
                try await workers.waitForAll()
            }
            let elapsed = (clock.now - begin).seconds
            let all = samples.withLock { $0 }
            report("call setups (4 decisions each)", count: setups, seconds: elapsed, baseline: nil)
            report("routing decisions", count: all.count, seconds: elapsed, baseline: Double(setups * 4) / raw.seconds)
            for (label, kind) in [("setup decision (POST /v1/calls)", Sample.Kind.setup), ("event decision (POST …/events)", .event)] {
                let picked = all.filter { $0.kind == kind }
                let server = picked.map(\.server).sorted(), trip = picked.map(\.roundTrip).sorted()
                print(
                    String(
                        format: "%@ server p50 %.2f ms p99 %.2f ms | round trip p50 %.2f ms p99 %.2f ms", label.padding(toLength: 46, withPad: " ", startingAt: 0),
                        percentile(server, 0.50), percentile(server, 0.99), percentile(trip, 0.50), percentile(trip, 0.99)))
            }
            // Leave nothing behind: end the calls still waiting.
            for (uid, _) in queue.withLock({ $0 }) { _ = try? await http.event(uid, #""type":"hangup""#, on: filler) }
            try? await filler.shutdown()
        }
    }

    /// PostgreSQL alone: each transaction locks one of 1,000 rows, updates it and inserts a row, from `tasks` tasks.
    static func rawPostgres(_ client: PostgresClient, transactions: Int, tasks: Int, logger: Logger) async throws -> (seconds: Double, p50: Double, p99: Double) {
        let table = "loadgen_route_raw_\(UUID().uuidString.prefix(8).lowercased())"
        try await client.query(PostgresQuery(unsafeSQL: "CREATE TABLE \(table) (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0, note jsonb)"), logger: logger)
        try await client.query(PostgresQuery(unsafeSQL: "INSERT INTO \(table) (id) SELECT generate_series(0, 999)"), logger: logger)
        let counter = Locked(0)
        let latencies = Locked<[Double]>([])
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    var mine: [Double] = []
                    while let ticket = counter.withLock({ count -> Int? in
                        guard count < transactions else { return nil }
                        count += 1
                        return count
                    }) {
                        let begin = clock.now
                        try await client.withTransaction(logger: logger) { connection in
                            let id = ticket % 1_000
                            try await connection.query(PostgresQuery(unsafeSQL: "SELECT n FROM \(table) WHERE id = \(id) FOR UPDATE"), logger: logger)
                            try await connection.query(PostgresQuery(unsafeSQL: "UPDATE \(table) SET n = n + 1, note = '{\"a\":1}' WHERE id = \(id)"), logger: logger)
                        }
                        mine.append((clock.now - begin).seconds * 1_000)
                    }
                    latencies.withLock { $0 += mine }
                }
            }
            try await group.waitForAll()
        }
        let seconds = (clock.now - start).seconds
        try await client.query(PostgresQuery(unsafeSQL: "DROP TABLE \(table)"), logger: logger)
        let sorted = latencies.withLock { $0 }.sorted()
        return (seconds, percentile(sorted, 0.5), percentile(sorted, 0.99))
    }

    private func report(_ label: String, count: Int, seconds: Double, baseline: Double?) {
        let rate = Double(count) / seconds
        var line = "\(label.padding(toLength: 46, withPad: " ", startingAt: 0)) \(String(format: "%9.0f /s", rate))  (\(String(format: "%.2f", seconds)) s)"
        if let baseline { line += String(format: "  = %.2f × raw", rate / baseline) }
        print(line)
    }

    /// One company: 80 agents in three departments (serial, simultaneous, balanced), a menu flow on two numbers.
    struct Office: Sendable {
        let company: CompanyID
        let numbers: [String]

        static func create(_ http: HTTP, client: PostgresClient) async throws -> Office {
            let company = CompanyID()
            _ = try await http.api("PATCH", "/v1/callrouter/settings", company, #"{"lines":1000}"#)
            var agents: [String] = []
            for ext in 10..<90 {
                let user = try await http.api(
                    "POST", "/v1/users", company,
                    #"{"name":"Agent \#(ext)","email":"a\#(ext)@example.com","mobile":"+91980000\#(ext)00","extension":\#(ext),"role":"agent"}"#)
                agents.append(try requireValue(user["id"] as? String, "user not created"))
            }
            var departments: [String] = []
            for (index, strategy) in ["serial", "simultaneous", "balanced"].enumerated() {
                let members = agents[(index * 26)..<(index * 26 + 26)].map { #""\#($0)""# }.joined(separator: ",")
                let department = try await http.api(
                    "POST", "/v1/departments", company, #"{"name":"D\#(index)","strategy":"\#(strategy)","members":[\#(members)],"fallback":{"type":"voicemail"}}"#)
                departments.append(try requireValue(department["id"] as? String, "department not created"))
            }
            let graph = """
                {"start":"main","nodes":[
                  {"id":"main","type":"menu","prompt":"welcome.mp3","options":{"1":"d0","2":"d1","3":"d2"}},
                  {"id":"d0","type":"department","department_id":"\(departments[0])"},
                  {"id":"d1","type":"department","department_id":"\(departments[1])"},
                  {"id":"d2","type":"department","department_id":"\(departments[2])"}
                ]}
                """
            let flow = try requireValue(try await http.api("POST", "/v1/flows", company, #"{"graph":\#(graph)}"#)["id"] as? String, "flow not created")
            _ = try await http.api("POST", "/v1/flows/\(flow)/publish", company, nil)
            var numbers: [String] = []
            for type in ["virtual", "toll_free"] {
                let number = "+9180" + String(format: "%08d", Int.random(in: 0..<100_000_000))
                // As if Billing had sold it (billing.did.activated): a company registers only numbers it rents.
                try await client.query(
                    "INSERT INTO callrouter.rented_numbers (number, company_id, active, changed_at) VALUES (\(number), \(company.uuid), true, now())")
                _ = try await http.api("POST", "/v1/dids", company, #"{"number":"\#(number)","type":"\#(type)","flow_id":"\#(flow)"}"#)
                numbers.append(number)
            }
            return Office(company: company, numbers: numbers)
        }
    }

    /// The switch's and the admin's HTTP, timed.
    struct HTTP: Sendable {
        let base: String
        let switchToken: String
        let jwtSecret: String

        func waitUntilReady() async throws {
            for _ in 0..<600 {
                if let (_, response) = try? await URLSession.shared.data(from: URL(string: base + "/readyz")!),
                    (response as? HTTPURLResponse)?.statusCode == 200
                { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw RawRabbit.Failure(description: "call-router never became ready")
        }

        func api(_ method: String, _ path: String, _ company: CompanyID, _ json: String?) async throws -> [String: Any] {
            let token = try await TokenVerifier(secret: jwtSecret).token(for: Identity(userID: UserID(), companyID: company, role: .owner))
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = method
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            if let json {
                request.httpBody = Data(json.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            guard let status = (response as? HTTPURLResponse)?.statusCode, status < 300 else {
                throw RawRabbit.Failure(description: "\(method) \(path): \(String(decoding: data, as: UTF8.self))")
            }
            return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        }

        /// One keep-alive HTTP/1.1 connection, used by one task at a time.
        func connection() -> TestClient {
            let url = URL(string: base)!
            let client = TestClient(host: url.host ?? "127.0.0.1", port: url.port ?? 80)
            client.connect()
            return client
        }

        func start(_ did: String, on client: TestClient) async throws -> ([String: Any], Sample) {
            let caller = "+9197" + String(format: "%08d", Int.random(in: 0..<100_000_000))
            return try await post("/v1/calls", #"{"did":"\#(did)","caller":"\#(caller)","carrier_call_id":"\#(UUID().uuidString)"}"#, kind: .setup, on: client)
        }

        func event(_ uid: String, _ fields: String, on client: TestClient) async throws -> ([String: Any], Sample) {
            try await post("/v1/calls/\(uid)/events", "{" + fields + "}", kind: .event, on: client)
        }

        private func post(_ path: String, _ json: String, kind: Sample.Kind, on client: TestClient) async throws -> ([String: Any], Sample) {
            var headers = HTTPFields()
            headers[HTTPField.Name("X-Switch-Token")!] = switchToken
            headers[.contentType] = "application/json"
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await client.post(path, headers: headers, body: ByteBuffer(string: json))
            let trip = (clock.now - start).seconds * 1_000
            let data = response.body.map { Data($0.readableBytesView) } ?? Data()
            guard response.head.status == .ok else {
                throw RawRabbit.Failure(description: "POST \(path): \(String(decoding: data, as: UTF8.self))")
            }
            let timing = (response.head.headerFields[HTTPField.Name("Server-Timing")!] ?? "").split(separator: "=").last.flatMap { Double($0) } ?? .nan
            return ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:], Sample(kind: kind, server: timing, roundTrip: trip))
        }
    }
}

func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.down)))]
}

/// A value shared by the benchmark's tasks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result { mutex.withLock { body(&$0) } }
}

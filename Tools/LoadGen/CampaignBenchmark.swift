import Campaigns
import Contracts
import Foundation
import FoundationNetworking
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import ServiceKit
import Storage

/// `loadgen campaign`: a real Campaigns service (`ServiceHost`, HTTP, PostgreSQL, RabbitMQ) runs one campaign per
/// WhatsApp number (`--numbers`, `--recipients` each, numbers at Meta's highest rate of 1,000 messages/s and an
/// unlimited tier) against a fast local fake of the Cloud API, and the clock runs from "send now" until every
/// message has its provider id recorded. The fake also answers Billing's reservation API, so the wallet is out of
/// the measured path (one call per campaign). The yardstick, measured in the same run, is the fake alone taking
/// the same number of requests from 64 keep-alive connections: what "the carrier" can take here. The fake runs as a
/// process of its own (`--fake inline` keeps it in this one), and the CPU each component spent per message is
/// printed after the run.
struct CampaignBenchmark {
    let options: Options

    func run() async throws {
        let numbers = options.int("numbers", default: 2)
        let recipients = min(5_000, options.int("recipients", default: 5_000))
        let senders = options.int("senders", default: 8)
        var quiet = Logger(label: "loadgen")
        quiet.logLevel = .warning
        let logger = quiet
        let port = Int.random(in: 20_000..<32_000)
        let fake = FastCloud(port: Int.random(in: 10_000..<20_000))
        let fakeURL = "http://127.0.0.1:\(fake.port)"
        let fakeProcess = options.string("fake", default: "process") == "inline" ? nil : try Self.spawnFake(port: fake.port)
        defer {
            fakeProcess?.terminate()
            fakeProcess?.waitUntilExit()
        }
        let environment = ProcessInfo.processInfo.environment.merging([
            "MYOP_DATABASE_URL": options.databaseURL,
            "MYOP_AMQP_URL": options.amqpURL,
            "MYOP_HTTP_PORT": "\(port)",
            "MYOP_LOG_LEVEL": "warning",
            CampaignsService.cloudURLVariable: fakeURL,
            CampaignsService.billingURLVariable: fakeURL,
            CampaignsService.pollVariable: "50",
            CampaignsService.senderConcurrencyVariable: "\(senders)",
        ]) { _, new in new }
        let configuration = try ServiceConfiguration.load(for: CampaignsService.identity, environment: environment)
        print("loadgen campaign: \(numbers) numbers × \(recipients) recipients at 1,000/s each, \(senders) send jobs at once, the fake \(fakeProcess == nil ? "in this process" : "in its own process")")

        let client = PostgresClient(
            configuration: try requireValue(DatabaseURL(options.databaseURL), "bad --database URL").clientConfiguration(maximumConnections: 4),
            backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            if fakeProcess == nil { group.addTask { try await fake.application(logger: logger).runService() } }
            group.addTask {
                try await ServiceHost.run(CampaignsService.definition(), configuration: configuration, metrics: nil, logger: logger)
            }
            defer { group.cancelAll() }
            let api = API(base: "http://127.0.0.1:\(port)", jwtSecret: configuration.jwtSecret)
            try await api.waitUntilReady()
            try await api.waitUntilReady(fakeURL + "/bench/window")

            let total = numbers * recipients
            let raw = try await Self.rawCloud(port: fake.port, requests: total, connections: 64)
            report("raw fake Cloud API: requests", count: total, seconds: raw, baseline: nil)

            // One company, `numbers` unlimited numbers at 1,000/s, an approved template, an audience per number.
            let company = CompanyID()
            var campaigns: [String] = []
            let template = try requireValue(
                try await api.call(
                    "POST", "/v1/templates", company,
                    json: #"{"name":"bench_\#(Int.random(in: 1_000...9_999))","language":"en","category":"utility","body":{"text":"Hi {{1}}, your order has shipped.","samples":["Asha"]}}"#)["id"] as? String)
            // The provider's review is not what is measured: approve directly.
            try await client.query("UPDATE campaigns.templates SET status = 'approved' WHERE id = \(UUID(uuidString: template)!)", logger: logger)
            let waba = String(Int.random(in: 1_000_000...9_999_999))
            _ = try await api.call("PUT", "/v1/whatsapp/account", company, json: #"{"waba_id":"\#(waba)"}"#)
            for index in 0..<numbers {
                let number = try requireValue(
                    try await api.call(
                        "POST", "/v1/whatsapp/numbers", company,
                        json: #"{"phone_number_id":"\#(waba)0\#(index + 1)","display_number":"+9170\#(Int.random(in: 10_000_000...99_999_999))","tier":4,"messages_per_second":1000}"#)["id"] as? String)
                var csv = "name,phonenumber\n"
                let base = 6_000_000_000 + index * 100_000 + Int.random(in: 0..<10) * 1_000_000
                for row in 0..<recipients { csv += "Customer \(row),91\(base + row)\n" }
                let audience = try requireValue(try await api.upload(Data(csv.utf8), company: company)["id"] as? String)
                campaigns.append(try requireValue(
                    try await api.call(
                        "POST", "/v1/campaigns", company,
                        json: #"{"name":"Bench \#(index)","number_id":"\#(number)","template_id":"\#(template)","audience_id":"\#(audience)","mapping":{"body":[{"column":"name"}]}}"#)["id"] as? String))
            }
            let clock = ContinuousClock()
            let before = try await api.window(fakeURL).accepted
            try await api.resetWindow(fakeURL)
            let cpuBefore = CPUTime.sample(fakePID: fakeProcess?.processIdentifier)
            let begin = clock.now
            let wallBegin = Date().timeIntervalSince1970
            for campaign in campaigns { _ = try await api.call("POST", "/v1/campaigns/\(campaign)/schedule", company, json: #"{"send_now":true}"#) }
            var finished = 0
            while finished < campaigns.count {
                // Gently: each look counts the campaign's messages.
                try await Task.sleep(for: .milliseconds(250))
                finished = 0
                for campaign in campaigns where ["completed", "partially_sent", "failed"].contains(try await api.call("GET", "/v1/campaigns/\(campaign)", company)["status"] as? String ?? "") {
                    finished += 1
                }
                if (clock.now - begin) > .seconds(600) { throw RawRabbit.Failure(description: "campaigns did not finish in 10 minutes") }
            }
            let elapsed = (clock.now - begin).seconds
            let cpuAfter = CPUTime.sample(fakePID: fakeProcess?.processIdentifier)
            let window = try await api.window(fakeURL)
            let sent = window.accepted - before
            let cpu = CPUTime.perItem(from: cpuBefore, to: cpuAfter, items: sent)
            report("campaign messages sent (all numbers)", count: sent, seconds: elapsed, baseline: Double(total) / raw)
            report("per number", count: sent / numbers, seconds: elapsed, baseline: nil)
            if let first = window.first, let last = window.last {
                let sending = last - first
                print(String(format: "%@ %.2f s to the first request, then", "from \"send now\"".padding(toLength: 46, withPad: " ", startingAt: 0), first - wallBegin))
                report("  sending only (first to last request)", count: sent, seconds: sending, baseline: Double(total) / raw)
                report("  sending only, per number", count: sent / numbers, seconds: sending, baseline: nil)
            }
            print("CPU per message, from \"send now\" to the end: " + CPUTime.describe(cpu, digits: 0))
        }
    }

    /// This executable again, as `loadgen fake-cloud`. Its standard input is a pipe that only this process holds
    /// open: the fake exits when it closes, so a benchmark that is interrupted or crashes leaves no fake behind.
    static func spawnFake(port: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["fake-cloud", "--port", "\(port)"]
        process.standardInput = Pipe()
        try process.run()
        return process
    }

    /// The fake alone: `requests` message posts from `connections` keep-alive connections.
    static func rawCloud(port: Int, requests: Int, connections: Int) async throws -> Double {
        let remaining = Locked(requests)
        let clock = ContinuousClock()
        let begin = clock.now
        let body = #"{"messaging_product":"whatsapp","recipient_type":"individual","to":"919800000000","type":"template","template":{"name":"t","language":{"code":"en"}}}"#
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<connections {
                group.addTask {
                    let client = TestClient(host: "127.0.0.1", port: port)
                    client.connect()
                    defer { Task { try? await client.shutdown() } }
                    var headers = HTTPFields()
                    headers[.contentType] = "application/json"
                    while remaining.withLock({ count -> Bool in
                        count -= 1
                        return count >= 0
                    }) {
                        _ = try await client.post("/v21.0/1/messages", headers: headers, body: ByteBuffer(string: body))
                    }
                }
            }
            try await group.waitForAll()
        }
        return (clock.now - begin).seconds
    }

    private func report(_ label: String, count: Int, seconds: Double, baseline: Double?) {
        let rate = Double(count) / seconds
        var line = "\(label.padding(toLength: 46, withPad: " ", startingAt: 0)) \(String(format: "%9.0f /s", rate))  (\(String(format: "%.2f", seconds)) s)"
        if let baseline { line += String(format: "  = %.2f × raw", rate / baseline) }
        print(line)
    }

    struct API: Sendable {
        let base: String
        let jwtSecret: String

        func waitUntilReady(_ url: String? = nil) async throws {
            for _ in 0..<600 {
                if let (_, response) = try? await URLSession.shared.data(from: URL(string: url ?? base + "/readyz")!),
                    (response as? HTTPURLResponse)?.statusCode == 200
                { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw RawRabbit.Failure(description: "\(url ?? "campaigns") never became ready")
        }

        func window(_ fakeURL: String) async throws -> FastCloud.Window {
            let (data, _) = try await URLSession.shared.data(from: URL(string: fakeURL + "/bench/window")!)
            return try JSONDecoder().decode(FastCloud.Window.self, from: data)
        }

        func resetWindow(_ fakeURL: String) async throws {
            var request = URLRequest(url: URL(string: fakeURL + "/bench/window/reset")!)
            request.httpMethod = "POST"
            _ = try await URLSession.shared.data(for: request)
        }

        func call(_ method: String, _ path: String, _ company: CompanyID, json: String? = nil) async throws -> [String: Any] {
            try await send(method, path, company, body: json.map { Data($0.utf8) }, contentType: "application/json")
        }

        func upload(_ data: Data, company: CompanyID) async throws -> [String: Any] {
            try await send("POST", "/v1/audiences?filename=bench.csv", company, body: data, contentType: "text/csv")
        }

        private func send(_ method: String, _ path: String, _ company: CompanyID, body: Data?, contentType: String) async throws -> [String: Any] {
            let token = try await TokenVerifier(secret: jwtSecret).token(for: Identity(userID: UserID(), companyID: company, role: .owner))
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = method
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            if let body {
                request.httpBody = body
                request.setValue(contentType, forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            guard let status = (response as? HTTPURLResponse)?.statusCode, status < 300 else {
                throw RawRabbit.Failure(description: "\(method) \(path): \(String(decoding: data, as: UTF8.self))")
            }
            return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        }
    }
}

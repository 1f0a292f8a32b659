import Foundation

/// CPU time (user + system) spent by the processes a benchmark involves, read from `/proc`, so a figure can say
/// where the machine's two cores went: our process, the provider fake, PostgreSQL, RabbitMQ.
struct CPUTime {
    /// Seconds of CPU so far by process, with the component it belongs to.
    typealias Sample = [Int32: (component: String, seconds: Double)]

    static func sample(fakePID: Int32?) -> Sample {
        var sample: Sample = [:]
        let own = getpid()
        if let process = read(pid: own) { sample[own] = ("loadgen + service", process.seconds) }
        if let fakePID, let process = read(pid: fakePID) { sample[fakePID] = ("Cloud API fake", process.seconds) }
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let process = read(pid: pid) else { continue }
            switch process.name {
            case "postgres": sample[pid] = ("PostgreSQL", process.seconds)
            case "beam.smp": sample[pid] = ("RabbitMQ", process.seconds)
            default: continue
            }
        }
        return sample
    }

    /// Microseconds of CPU per item between two samples, by component, largest first. Differences are taken per
    /// process: a process that started in between counts whole, and one that ended in between is found in its
    /// parent's children's time (PostgreSQL's postmaster reaps its backends and autovacuum workers).
    static func perItem(from before: Sample, to after: Sample, items: Int) -> [(String, Double)] {
        var spent: [String: Double] = [:]
        for (pid, now) in after { spent[now.component, default: 0] += now.seconds - (before[pid]?.seconds ?? 0) }
        return spent.map { ($0.key, $0.value / Double(max(items, 1)) * 1_000_000) }.sorted { $0.1 > $1.1 }
    }

    /// "RabbitMQ 46.5 µs, PostgreSQL 20.1 µs, …" with `digits` decimals.
    static func describe(_ cost: [(String, Double)], digits: Int) -> String {
        cost.map { String(format: "%@ %.\(digits)f µs", $0.0, $0.1) }.joined(separator: ", ")
    }

    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// The name (field 2, in parentheses, may hold spaces) and utime + stime + cutime + cstime (fields 14–17) of one
    /// process, from one read of `/proc/<pid>/stat`.
    private static func read(pid: Int32) -> (name: String, seconds: Double)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so field 14 is fields[11].
        guard fields.count > 14 else { return nil }
        let ticks = fields[11...14].compactMap { Double($0) }
        guard ticks.count == 4 else { return nil }
        return (String(text[text.index(after: open)..<close]), ticks.reduce(0, +) / ticksPerSecond)
    }
}

import Foundation

/// CPU time (user + system) spent by the processes a benchmark involves, read from `/proc`, so a figure can say
/// where the machine's two cores went: our process, the provider fake, PostgreSQL, RabbitMQ.
struct CPUTime {
    /// Seconds of CPU per component, summed over its processes (PostgreSQL's backends, RabbitMQ's `beam.smp`).
    static func sample(fakePID: Int32?) -> [String: Double] {
        var seconds: [String: Double] = ["loadgen + service": Self.seconds(pid: getpid()) ?? 0]
        if let fakePID { seconds["Cloud API fake"] = Self.seconds(pid: fakePID) ?? 0 }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let name = Self.name(pid: pid) else { continue }
            let component: String
            switch name {
            case "postgres": component = "PostgreSQL"
            case "beam.smp": component = "RabbitMQ"
            default: continue
            }
            seconds[component, default: 0] += Self.seconds(pid: pid) ?? 0
        }
        return seconds
    }

    /// Microseconds of CPU per item between two samples, by component, largest first.
    static func perItem(from before: [String: Double], to after: [String: Double], items: Int) -> [(String, Double)] {
        after.map { name, total in (name, (total - (before[name] ?? 0)) / Double(max(items, 1)) * 1_000_000) }
            .sorted { $0.1 > $1.1 }
    }

    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    private static func stat(pid: Int32) -> String? {
        try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
    }

    private static func name(pid: Int32) -> String? {
        guard let text = stat(pid: pid), let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
        return String(text[text.index(after: open)..<close])
    }

    /// utime and stime are fields 14 and 15; the name in field 2 may hold spaces, so count after its ")".
    private static func seconds(pid: Int32) -> Double? {
        guard let text = stat(pid: pid), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so utime (14) is fields[11] and stime (15) fields[12].
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / ticksPerSecond
    }
}

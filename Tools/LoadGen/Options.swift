import Foundation

/// `--name value` pairs with defaults from the environment of the local stack.
struct Options {
    private var values: [String: String] = [:]

    init(_ arguments: ArraySlice<String>) {
        var iterator = arguments.makeIterator()
        while let name = iterator.next() {
            guard name.hasPrefix("--"), let value = iterator.next() else { continue }
            values[String(name.dropFirst(2))] = value
        }
    }

    func int(_ name: String, default value: Int) -> Int { values[name].flatMap(Int.init) ?? value }

    func string(_ name: String, default value: String) -> String { values[name] ?? value }

    var amqpURL: String {
        string("amqp", default: ProcessInfo.processInfo.environment["MYOP_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:56720")
    }

    var databaseURL: String {
        string("database", default: ProcessInfo.processInfo.environment["MYOP_LOADGEN_DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:55432/myop_test")
    }
}

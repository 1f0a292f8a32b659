import Foundation
import Hummingbird
import Logging

// LoadGen: end-to-end throughput and latency benchmarks against the local stack (scripts/dev up or scripts/test
// servers). Run a release build: `swift run -c release loadgen bus [--messages N] [--events N]`.
let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    print("usage: loadgen bus [--messages 100000] [--events 100000] [--size 300] | loadgen rate [--events 50000] [--companies 100] | loadgen route [--calls 1000] [--setups 10000] [--in-flight 32] [--companies 10] | loadgen campaign [--numbers 2] [--recipients 5000] [--senders 8] [--fake process|inline] | loadgen fake-cloud --port P (started by campaign)")
    exit(2)
}
let options = Options(arguments.dropFirst())
switch command {
case "bus":
    try await BusBenchmark(options: options).run()
case "rate":
    try await RateBenchmark(options: options).run()
case "route":
    try await RouteBenchmark(options: options).run()
case "campaign":
    try await CampaignBenchmark(options: options).run()
case "fake-cloud":
    // The provider fake of `loadgen campaign`, which starts it as a process of its own and holds its standard input
    // open: end of input means the benchmark is gone.
    Thread.detachNewThread {
        _ = FileHandle.standardInput.readDataToEndOfFile()
        exit(0)
    }
    var logger = Logger(label: "fake-cloud")
    logger.logLevel = .warning
    try await FastCloud(port: options.int("port", default: 18_000)).application(logger: logger).runService()
default:
    print("unknown benchmark \(command); available: bus, rate, route, campaign (and fake-cloud, which campaign starts)")
    exit(2)
}

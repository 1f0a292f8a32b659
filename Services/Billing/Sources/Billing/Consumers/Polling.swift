import Logging
import ServiceLifecycle

/// The loop of Billing's scheduled work (ARCHITECTURE.md, scheduled work): run `round`, wait `interval`, until
/// the service stops; a failed round is logged and tried again on the next one.
enum Polling {
    static func run(every interval: Duration, logger: Logger, failure: String, _ round: () async throws -> Void) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await round()
            } catch {
                logger.warning("\(failure); retrying", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}

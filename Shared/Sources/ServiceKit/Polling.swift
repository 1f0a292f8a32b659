public import Logging
import ServiceLifecycle

/// The loop of a service's scheduled work (ARCHITECTURE.md, scheduled work): run `round`, wait `interval`, until
/// the service stops; a failed round is logged and tried again on the next one.
public enum Polling {
    public static func run(every interval: Duration, logger: Logger, failure: String, _ round: () async throws -> Void) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await round()
            } catch {
                // Reflecting: a PSQLError's plain description hides what went wrong.
                logger.warning("\(failure); retrying", metadata: ["error": "\(String(reflecting: error))"])
            }
            await pause(interval)
        }
    }

    /// Sleeps for `interval`, or until the service is cancelled or asked to stop. A plain sleep would hold up the
    /// whole service's graceful stop by up to `interval`, and past an orchestrator's grace period the process is
    /// killed instead of closing its connections.
    public static func pause(_ interval: Duration) async {
        _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
    }
}

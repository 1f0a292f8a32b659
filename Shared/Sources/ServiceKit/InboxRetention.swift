public import Logging
public import ServiceLifecycle
public import Storage

/// Keeps a service's inbox to the events of the last `retention` (`MYOP_INBOX_RETENTION_DAYS`): once an hour, the
/// older rows go. Without it the table grows by one row per event consumed, for ever.
public struct InboxRetention: Service {
    let database: Database
    let retention: Duration
    let interval: Duration
    let logger: Logger

    public init(database: Database, retention: Duration, interval: Duration = .seconds(3_600), logger: Logger) {
        self.database = database
        self.retention = retention
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await Polling.run(every: interval, logger: logger, failure: "inbox pruning failed") {
            let pruned = try await Inbox.prune(database, olderThan: retention)
            if pruned > 0 { logger.info("inbox pruned", metadata: ["rows": "\(pruned)"]) }
        }
    }
}

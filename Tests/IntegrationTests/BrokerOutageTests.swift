import Testing

/// Stops and starts the shared RabbitMQ node, so every other test that uses the broker would see the outage too.
/// `scripts/test` therefore runs this suite on its own, after the others (`--skip BrokerOutage`, then
/// `--filter BrokerOutage`); run alone, the restart also takes seconds rather than minutes on a loaded machine.
@Suite("Broker outage", .serialized)
struct BrokerOutageTests {
    @Test("outbox to inbox with the broker stopped and restarted in the middle: none lost, none doubled")
    func survivesBrokerRestart() async throws {
        try await exactlyOnce(count: 10_000, restartBrokerAfter: 2_000)
    }
}

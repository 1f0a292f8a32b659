public import AsyncHTTPClient
public import ServiceLifecycle

/// Shuts a service's outbound HTTP client down once the service group stops. A service group stops its services in
/// reverse order, so list this before the components that use the client: they stop first.
public struct HTTPClientService: Service {
    let client: HTTPClient

    public init(client: HTTPClient) {
        self.client = client
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}

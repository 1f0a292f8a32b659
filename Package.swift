// swift-tools-version:6.1
import Foundation
import PackageDescription

/// Upcoming features every target opts into (STYLE.md, conventions 1).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The six services: (folder and module name, executable product, schema).
let services: [(name: String, product: String)] = [
    ("CallRouter", "call-router"),
    ("Campaigns", "campaigns"),
    ("Billing", "billing"),
    ("AfterCall", "after-call"),
    ("Webhooks", "webhooks"),
    ("Notifications", "notifications"),
]

let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
let postgres = Target.Dependency.product(name: "PostgresNIO", package: "postgres-nio")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
/// Every outbound HTTP request (providers, CRMs, other services): a pooled NIO client whose requests may be cancelled
/// safely. URLSession on Linux can trap when a request is cancelled or fails while in flight (swift-corelibs-foundation
/// TaskRegistry: "Trying to access a behaviour for a task that in not in the registry").
let httpClient = Target.Dependency.product(name: "AsyncHTTPClient", package: "async-http-client")

/// What one service needs beyond the shared set: Campaigns reads XLSX audiences (an OOXML zip).
let extraDependencies: [String: [Target.Dependency]] = [
    "Campaigns": [
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        .product(name: "XMLCoder", package: "XMLCoder"),
    ],
]

var targets: [Target] = [
    .systemLibrary(
        name: "CRabbitMQ",
        path: "Shared/Sources/CRabbitMQ",
        pkgConfig: "librabbitmq",
        providers: [.apt(["librabbitmq-dev"])]
    ),
    .target(name: "Contracts", path: "Shared/Sources/Contracts", swiftSettings: swiftSettings),
    .target(
        name: "Messaging",
        dependencies: ["CRabbitMQ", "Contracts", logging, metrics, lifecycle],
        path: "Shared/Sources/Messaging",
        swiftSettings: swiftSettings
    ),
    .target(
        name: "Storage",
        dependencies: ["Contracts", "Messaging", postgres, logging, metrics, lifecycle],
        path: "Shared/Sources/Storage",
        swiftSettings: swiftSettings
    ),
    .target(
        name: "ServiceKit",
        dependencies: [
            "Contracts", "Messaging", "Storage", hummingbird, postgres, logging, metrics, lifecycle, crypto, httpClient,
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ],
        path: "Shared/Sources/ServiceKit",
        swiftSettings: swiftSettings
    ),
    .executableTarget(
        name: "Sandbox",
        dependencies: ["Contracts", "ServiceKit", hummingbird, logging, crypto],
        path: "Tools/Sandbox",
        swiftSettings: swiftSettings
    ),
    .executableTarget(
        name: "LoadGen",
        dependencies: [
            "CRabbitMQ", "Contracts", "Messaging", "Storage", "ServiceKit", "CallRouter", "Billing", "Campaigns", postgres, logging, lifecycle,
            // Its NIO HTTP/1.1 client: one keep-alive connection per worker, far cheaper than URLSession on Linux.
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ],
        path: "Tools/LoadGen",
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "ContractsTests",
        dependencies: ["Contracts"],
        path: "Tests/ContractsTests",
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "MessagingTests",
        dependencies: ["Messaging"],
        path: "Tests/MessagingTests",
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "StorageTests",
        dependencies: ["Storage"],
        path: "Tests/StorageTests",
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "ServiceKitTests",
        dependencies: ["ServiceKit", "Contracts", hummingbird, crypto, .product(name: "HummingbirdTesting", package: "hummingbird")],
        path: "Tests/ServiceKitTests",
        swiftSettings: swiftSettings
    ),
    .testTarget(
        name: "IntegrationTests",
        dependencies: [
            "Contracts", "Messaging", "Storage", "ServiceKit", postgres, logging, metrics, lifecycle, hummingbird, crypto, httpClient,
            .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
        ] + services.map { .target(name: $0.name) },
        path: "Tests/IntegrationTests",
        swiftSettings: swiftSettings
    ),
]

for service in services {
    targets += [
        // The library owns the service's migrations, so its path is the service folder.
        .target(
            name: service.name,
            dependencies: ["Contracts", "Messaging", "Storage", "ServiceKit", hummingbird, postgres, logging, metrics, crypto, httpClient]
                + (extraDependencies[service.name] ?? []),
            path: "Services/\(service.name)",
            exclude: ["Sources/\(service.name)Main"],
            sources: ["Sources/\(service.name)"],
            // A service's OpenAPI document ships with it once it has one (served at /openapi.json).
            resources: [.copy("Migrations")]
                + (FileManager.default.fileExists(atPath: "\(Context.packageDirectory)/Services/\(service.name)/openapi.json")
                    ? [.copy("openapi.json")] : []),
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "\(service.name)Main",
            dependencies: [.target(name: service.name), "ServiceKit"],
            path: "Services/\(service.name)/Sources/\(service.name)Main",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "\(service.name)Tests",
            dependencies: [.target(name: service.name), "Contracts", "Messaging", "Storage", "ServiceKit"],
            path: "Tests/\(service.name)Tests",
            swiftSettings: swiftSettings
        ),
    ]
}

let package = Package(
    name: "myop",
    platforms: [.macOS(.v15)],
    products: services.map { .executable(name: $0.product, targets: ["\($0.name)Main"]) } + [
        .executable(name: "sandbox", targets: ["Sandbox"]),
        .executable(name: "loadgen", targets: ["LoadGen"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/CoreOffice/XMLCoder.git", from: "0.18.2"),
    ],
    targets: targets
)

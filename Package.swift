// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// Tests import what they use by module, without listing every transitive module a member comes from.
let testSwiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "payment-orchestrator",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "payments", targets: ["payments"]),
        // The telemetry runtime on its own, for the benchmark package under Benchmarks/.
        .library(name: "Telemetry", targets: ["Telemetry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // Small ideas every target shares, each written once: hex, JSON values and strings, W3C traceparent,
        // Retry-After, durations, settings read from the environment, wake-up signals. No dependencies.
        .target(
            name: "PaymentsSupport",
            swiftSettings: swiftSettings
        ),
        // Domain: money, recipients, the lifecycle state machine and the ports. No I/O.
        .target(
            name: "PaymentsCore",
            dependencies: [
                "PaymentsSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The system SQLite library (Debian: libsqlite3-dev).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Storage adapter: the payment store and the durable job queue.
        .target(
            name: "PaymentsStorage",
            dependencies: [
                "PaymentsSupport",
                "PaymentsCore",
                "CSQLite",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Bank adapter: the partner bank's Payments API over HTTP.
        .target(
            name: "BankClient",
            dependencies: [
                "PaymentsSupport",
                "PaymentsCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // ERP adapter: settled payments posted to the client's ERP over HTTP.
        .target(
            name: "ERPClient",
            dependencies: [
                "PaymentsSupport",
                "PaymentsCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Application services: the orchestrator and the durable workers, generic over the ports.
        .target(
            name: "PaymentsOrchestrator",
            dependencies: [
                "PaymentsSupport",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                "PaymentsCore",
                // Only for inherited span attributes (payment ids on every span of a payment, library spans too).
                "Telemetry",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // HTTP adapter: the client API, the webhook receiver and the operational endpoints.
        .target(
            name: "PaymentsAPI",
            dependencies: [
                "PaymentsSupport",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                "PaymentsCore",
                "PaymentsOrchestrator",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            resources: [.copy("openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        // The partner-bank sandbox: a real HTTP server with fault injection. Knows nothing of our internals.
        .target(
            name: "BankSandbox",
            dependencies: [
                "PaymentsSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The system zlib (Debian: zlib1g-dev), for gzip OTLP request bodies.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Telemetry runtime: logs (and later traces and metrics). Knows nothing of payments.
        .target(
            name: "Telemetry",
            dependencies: [
                "PaymentsSupport",
                .product(name: "Metrics", package: "swift-metrics"),
                "CZlib",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Assembly: typed configuration from the environment, and the service group that runs it all.
        .target(
            name: "PaymentsApp",
            dependencies: [
                "PaymentsSupport",
                .product(name: "Metrics", package: "swift-metrics"),
                "PaymentsCore",
                "PaymentsStorage",
                "BankClient",
                "ERPClient",
                "PaymentsOrchestrator",
                "PaymentsAPI",
                "BankSandbox",
                "Telemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // A client of the API: `payments demo` drives payments through a running server and summarises the outcome.
        .target(
            name: "PaymentsDemo",
            dependencies: [
                "PaymentsSupport",
                "PaymentsCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The `payments` command: parses the command line and hands over to PaymentsApp.
        .executableTarget(
            name: "payments",
            dependencies: [
                "PaymentsSupport",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Metrics", package: "swift-metrics"),
                "PaymentsCore",
                "PaymentsApp",
                "PaymentsDemo",
                "PaymentsStorage",
                "BankSandbox",
                "Telemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // What both test targets share: a loopback OTLP collector, a decoder that reads what we export with the
        // official OTLP definitions, sample telemetry, a manual clock. Not part of the product.
        .target(
            name: "TestSupport",
            dependencies: [
                "Telemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: testSwiftSettings
        ),
        // Pure logic: no server, process, socket or database. Runs in parallel.
        .testTarget(
            name: "UnitTests",
            dependencies: [
                "TestSupport",
                "PaymentsSupport",
                "PaymentsCore",
                "PaymentsAPI",
                "PaymentsApp",
                "PaymentsDemo",
                "BankSandbox",
                "Telemetry",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: testSwiftSettings
        ),
        // The real parts together over loopback: HTTP servers, the bank sandbox, child processes, PostgreSQL.
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "TestSupport",
                "PaymentsSupport",
                "PaymentsCore",
                "PaymentsStorage",
                "BankClient",
                "ERPClient",
                "PaymentsOrchestrator",
                "PaymentsAPI",
                "BankSandbox",
                "Telemetry",
                "PaymentsApp",
                "PaymentsDemo",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: testSwiftSettings
        ),
    ]
)

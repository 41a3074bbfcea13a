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

/// The products of the packages below that targets use, named once.
extension Target.Dependency {
    static let argumentParser = product("ArgumentParser", "swift-argument-parser")
    static let asyncHTTPClient = product("AsyncHTTPClient", "async-http-client")
    static let atomics = product("Atomics", "swift-atomics")
    static let crypto = product("Crypto", "swift-crypto")
    static let hummingbird = product("Hummingbird", "hummingbird")
    static let hummingbirdTLS = product("HummingbirdTLS", "hummingbird")
    static let logging = product("Logging", "swift-log")
    static let metrics = product("Metrics", "swift-metrics")
    static let metricsTestKit = product("MetricsTestKit", "swift-metrics")
    static let nioCore = product("NIOCore", "swift-nio")
    static let nioFoundationCompat = product("NIOFoundationCompat", "swift-nio")
    static let nioHTTP1 = product("NIOHTTP1", "swift-nio")
    static let nioHTTPTypes = product("NIOHTTPTypes", "swift-nio-extras")
    static let nioPosix = product("NIOPosix", "swift-nio")
    static let nioSSL = product("NIOSSL", "swift-nio-ssl")
    static let postgresNIO = product("PostgresNIO", "postgres-nio")
    static let serviceLifecycle = product("ServiceLifecycle", "swift-service-lifecycle")
    static let tracing = product("Tracing", "swift-distributed-tracing")
    static let unixSignals = product("UnixSignals", "swift-service-lifecycle")

    private static func product(_ name: String, _ package: String) -> Self {
        .product(name: name, package: package)
    }
}

/// A library target of this package.
func module(_ name: String, _ dependencies: [Target.Dependency] = [], resources: [Resource]? = nil) -> Target {
    .target(name: name, dependencies: dependencies, resources: resources, swiftSettings: swiftSettings)
}

let package = Package(
    name: "payment-orchestrator",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "payments", targets: ["payments"]),
        .executable(name: "payments-simulator", targets: ["payments-simulator"]),
        // The telemetry runtime and the domain on their own, for the benchmark package under Benchmarks/.
        .library(name: "Telemetry", targets: ["Telemetry"]),
        .library(name: "PaymentsCore", targets: ["PaymentsCore"]),
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
        // Already in the graph through Hummingbird; named for the HTTP part types our connection guard handles.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        // Already in the graph through SwiftNIO; atomics on memory we lay out (striped metric cells).
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
    ],
    targets: [
        // Small ideas every target shares, each written once: hex, JSON values and strings, W3C traceparent,
        // Retry-After, durations, settings read from the environment, wake-up signals. No dependencies.
        module("PaymentsSupport"),
        // Domain: money, recipients, the lifecycle state machine and the ports. No I/O.
        module("PaymentsCore", ["PaymentsSupport", .crypto]),
        // The system SQLite library (Debian: libsqlite3-dev).
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // Storage adapter: the payment store and the durable job queue.
        module(
            "PaymentsStorage",
            ["PaymentsSupport", "PaymentsCore", "CSQLite", .nioCore, .nioPosix, .postgresNIO, .logging]
        ),
        // Bank adapter: the partner bank's Payments API over HTTP.
        module(
            "BankClient",
            [
                "PaymentsSupport", "PaymentsCore", .asyncHTTPClient, .logging, .metrics, .tracing,
                .nioFoundationCompat, .nioSSL,
            ]
        ),
        // ERP adapter: settled payments posted to the client's ERP over HTTP.
        module("ERPClient", ["PaymentsSupport", "PaymentsCore", .asyncHTTPClient, .nioFoundationCompat, .nioHTTP1]),
        // Application services: the orchestrator and the durable workers, generic over the ports. Telemetry only
        // for inherited span attributes (payment ids on every span of a payment, library spans too).
        module(
            "PaymentsOrchestrator",
            ["PaymentsSupport", "PaymentsCore", "Telemetry", .tracing, .logging, .metrics, .serviceLifecycle]
        ),
        // HTTP adapter: the client API, the webhook receiver and the operational endpoints.
        module(
            "PaymentsAPI",
            [
                "PaymentsSupport", "PaymentsCore", "PaymentsOrchestrator", .tracing, .metrics, .hummingbird, .logging,
                .nioCore, .nioHTTPTypes, .nioFoundationCompat,
            ],
            resources: [.copy("openapi.yaml")]
        ),
        // The partner-bank sandbox: a real HTTP server with fault injection. Knows nothing of our internals.
        module(
            "BankSandbox",
            [
                "PaymentsSupport", .hummingbird, .hummingbirdTLS, .nioSSL, .asyncHTTPClient, .crypto, .logging,
                .serviceLifecycle, .nioFoundationCompat,
            ]
        ),
        // The system zlib (Debian: zlib1g-dev), for gzip OTLP request bodies.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // The CPU a thread runs on (glibc's sched_getcpu), for per-CPU striped metric cells. Headers only.
        .systemLibrary(name: "CCurrentCPU"),
        // The telemetry runtime: traces, metrics and logs with an OTLP/HTTP exporter. Knows nothing of payments.
        module(
            "Telemetry",
            [
                "PaymentsSupport", "CZlib", "CCurrentCPU", .atomics, .metrics, .asyncHTTPClient, .nioCore, .nioHTTP1,
                .logging,
                .tracing, .serviceLifecycle,
            ]
        ),
        // Assembly: typed configuration from the environment, and the service group that runs it all.
        module(
            "PaymentsApp",
            [
                "PaymentsSupport", "PaymentsCore", "PaymentsStorage", "BankClient", "ERPClient",
                "PaymentsOrchestrator", "PaymentsAPI", "BankSandbox", "Telemetry", .metrics, .hummingbird,
                .asyncHTTPClient, .postgresNIO, .logging, .serviceLifecycle,
            ]
        ),
        // A client of the API: `payments demo` drives payments through a running server and summarises the outcome.
        module(
            "PaymentsDemo",
            ["PaymentsSupport", "PaymentsCore", .asyncHTTPClient, .nioCore, .nioHTTP1, .nioPosix, .nioFoundationCompat]
        ),
        // The deterministic simulation: the real orchestrator, worker and reconciler against the real store on an
        // in-memory database and the sandbox's bank, with time, faults and crashes decided by a seeded scheduler.
        module(
            "PaymentsSimulation",
            [
                "PaymentsSupport", "PaymentsCore", "PaymentsStorage", "PaymentsOrchestrator", "BankClient",
                "BankSandbox", .logging,
            ]
        ),
        .executableTarget(
            name: "payments-simulator",
            dependencies: ["PaymentsSimulation", .argumentParser],
            swiftSettings: swiftSettings
        ),
        // The `payments` command: parses the command line and hands over to PaymentsApp.
        .executableTarget(
            name: "payments",
            dependencies: [
                "PaymentsSupport", "PaymentsCore", "PaymentsApp", "PaymentsDemo", "PaymentsStorage", "BankSandbox",
                "Telemetry", .tracing, .metrics, .argumentParser, .postgresNIO, .logging, .serviceLifecycle,
                .unixSignals,
            ],
            swiftSettings: swiftSettings
        ),
        // What both test targets share: a loopback OTLP collector, a decoder that reads what we export with the
        // official OTLP definitions, sample telemetry, a manual clock. Not part of the product.
        .target(
            name: "TestSupport",
            dependencies: ["Telemetry", .hummingbird, .logging, .nioCore, .serviceLifecycle],
            path: "Tests/TestSupport",
            swiftSettings: testSwiftSettings
        ),
        // Pure logic: no server, process, socket or database. Runs in parallel.
        .testTarget(
            name: "UnitTests",
            dependencies: [
                "TestSupport", "PaymentsSupport", "PaymentsCore", "PaymentsAPI", "PaymentsApp", "PaymentsDemo",
                "BankSandbox", "Telemetry", "PaymentsSimulation", .logging, .tracing, .nioCore,
            ],
            swiftSettings: testSwiftSettings
        ),
        // The real parts together over loopback: HTTP servers, the bank sandbox, child processes, PostgreSQL.
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "TestSupport", "PaymentsSupport", "PaymentsCore", "PaymentsStorage", "BankClient", "ERPClient",
                "PaymentsOrchestrator", "PaymentsAPI", "BankSandbox", "Telemetry", "PaymentsApp", "PaymentsDemo",
                "PaymentsSimulation", .tracing, .hummingbird, .asyncHTTPClient, .postgresNIO, .serviceLifecycle,
                .metricsTestKit, .nioSSL,
                .crypto,
            ],
            swiftSettings: testSwiftSettings
        ),
    ]
)

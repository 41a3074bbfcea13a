// swift-tools-version:6.2
import PackageDescription

// A benchmark package beside the main one, not a dependency of it: it measures the cost of one span and of one
// metric event in the in-house telemetry runtime against swift-otel and the no-op backends, in one run.
// Run it with scripts/bench/telemetry.sh (release build).

extension Target.Dependency {
    static let telemetry = Self.product(name: "Telemetry", package: "payment-orchestrator")
    static let paymentsCore = Self.product(name: "PaymentsCore", package: "payment-orchestrator")
    static let otel = Self.product(name: "OTel", package: "swift-otel")
    static let tracing = Self.product(name: "Tracing", package: "swift-distributed-tracing")
    static let metrics = Self.product(name: "Metrics", package: "swift-metrics")
    static let serviceLifecycle = Self.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
    static let logging = Self.product(name: "Logging", package: "swift-log")
}

let swiftSettings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "telemetry-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "payment-orchestrator", path: ".."),
        // Only the OTLP/HTTP trait: the default traits would also build gRPC, which nothing here uses.
        .package(url: "https://github.com/swift-otel/swift-otel.git", exact: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // What sealing and opening a recipient's account number costs per payment (scripts/bench/sealing.sh).
        .executableTarget(name: "SealingBenchmarks", dependencies: [.paymentsCore], swiftSettings: swiftSettings),
        // The span and metric loops, shared by both executables.
        .target(name: "Workload", dependencies: [.tracing, .metrics], swiftSettings: swiftSettings),
        // The benchmark: every variant, timed, in one run.
        .executableTarget(
            name: "TelemetryBenchmarks",
            dependencies: ["Workload", .telemetry, .otel, .tracing, .metrics, .serviceLifecycle, .logging],
            swiftSettings: swiftSettings
        ),
        // The loops alone, without Swift concurrency, for instruction counts under valgrind.
        .executableTarget(
            name: "TelemetrySpanProfile",
            dependencies: ["Workload", .metrics, .telemetry, .otel, .tracing, .logging],
            swiftSettings: swiftSettings
        ),
    ]
)

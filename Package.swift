// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "presence-sim",
    products: [
        .executable(name: "presence-sim", targets: ["PresenceSimCLI"]),
        .library(name: "PresenceCore", targets: ["PresenceCore"]),
        .library(name: "Scenario", targets: ["Scenario"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "Reporting", targets: ["Reporting"]),
        .library(name: "RedisTarget", targets: ["RedisTarget"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // The in-memory TTL presence store: standard library and swift-collections only.
        .target(
            name: "PresenceCore",
            dependencies: [.product(name: "HeapModule", package: "swift-collections")]
        ),
        // The scenario file: schema, durations, distributions, validation with JSON paths.
        .target(name: "Scenario", dependencies: ["PresenceCore"]),
        // Virtual time, the client and server models, both engines and the measurements.
        .target(
            name: "Simulation",
            dependencies: [
                "PresenceCore", "Scenario", "RedisTarget",
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // Report model, metrics, thresholds, and the JSON / Markdown / HTML / terminal renderers.
        .target(name: "Reporting", dependencies: ["Scenario", "Simulation"]),
        // A RESP2 codec and a pooled, pipelining Redis client over SwiftNIO (and TLS over swift-nio-ssl), for
        // load-testing a user's Redis.
        .target(
            name: "RedisTarget",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "PresenceCoreTests", dependencies: ["PresenceCore"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting"]),
        // Runs the built `presence-sim` binary as users do.
        .testTarget(
            name: "PresenceSimCLITests",
            dependencies: ["PresenceSimCLI", "Scenario", "RedisTarget", "RedisTestSupport"]),
        // Starts a redis-server of the test's own on a free loopback port, for the tests that need one.
        .target(name: "RedisTestSupport", dependencies: ["RedisTarget"], path: "Tests/RedisTestSupport"),
        .testTarget(name: "RedisTargetTests", dependencies: ["RedisTarget", "RedisTestSupport"]),
        .testTarget(name: "ScenarioTests", dependencies: ["Scenario"], resources: [.copy("Fixtures")]),
        .executableTarget(
            name: "PresenceSimCLI",
            dependencies: [
                "Scenario", "Simulation", "Reporting", "RedisTarget",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

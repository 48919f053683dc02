// swift-tools-version: 6.1
// Engine-speed benchmarks for presence-sim, kept out of the main package so `swift build` and
// `swift test` there stay fast. Run from this directory: `swift package benchmark` (see the README).
import PackageDescription

// SwiftPM names a path dependency after its directory ("main" for /work/main), not after the manifest's
// `name:`; derive it so the checkout may live in a directory of any name.
let mainPackage = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "presence-sim").lowercased()

let package = Package(
    name: "presence-sim-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        // Only the MallocInterposer trait: the default traits pull in a runtime interposer that is not
        // available here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // The metrics and threshold policy shared by the benchmark targets.
        .target(name: "BenchmarkSupport", dependencies: [.product(name: "Benchmark", package: "benchmark")]),
        .executableTarget(
            name: "PresenceCoreBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkSupport",
                .product(name: "PresenceCore", package: mainPackage),
            ],
            path: "Benchmarks/PresenceCore",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EventQueueBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkSupport",
                .product(name: "PresenceCore", package: mainPackage),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Simulation", package: mainPackage),
            ],
            path: "Benchmarks/EventQueue",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkSupport",
                .product(name: "Scenario", package: mainPackage),
                .product(name: "Simulation", package: mainPackage),
            ],
            path: "Benchmarks/Engine",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

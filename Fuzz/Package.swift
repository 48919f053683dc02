// swift-tools-version: 6.1
// Fuzz targets for the scenario reader and the report reader, kept out of the main package: they are
// built with `-sanitize=fuzzer`, which would break the main package's executable and tests. Build and
// run them with `Fuzz/run.sh` (see the README, "Hardening").
import PackageDescription

// SwiftPM names a path dependency after its directory, not after the manifest's `name:`; derive it so
// the checkout may live in a directory of any name.
let mainPackage = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "presence-sim").lowercased()

let package = Package(
    name: "presence-sim-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        // Declares libFuzzer's LLVMFuzzerRunDriver for the targets' main.swift.
        .target(name: "FuzzDriver"),
        // Scenario bytes → ScenarioLoader (parse, overrides, validation); valid scenarios also run briefly.
        .executableTarget(
            name: "FuzzScenario",
            dependencies: [
                "FuzzDriver",
                .product(name: "Scenario", package: mainPackage),
                .product(name: "Simulation", package: mainPackage),
                .product(name: "Reporting", package: mainPackage),
            ]
        ),
        // Report bytes → what `compare` and `merge` do with them, and every renderer of the result.
        .executableTarget(
            name: "FuzzReport",
            dependencies: [
                "FuzzDriver",
                .product(name: "Scenario", package: mainPackage),
                .product(name: "Reporting", package: mainPackage),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

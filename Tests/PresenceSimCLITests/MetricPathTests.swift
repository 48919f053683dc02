import Foundation
import Scenario
import Testing

/// Every metric path `presence-sim metrics` lists is a number in a real report, so that a threshold or a
/// `compare --metric` naming it always finds a value.
///
/// No path is legitimately absent for a design: the report's metric sections are written from the
/// catalog, and a distribution with no samples (no phones, no typing, no false offline) is written as a
/// count of 0 with zeros, not left out. So each design is checked once, on the first bundled scenario
/// that uses it.
@Suite struct MetricPathTests {
    /// The paths as the command prints them: the first column of each line.
    static func listedPaths() throws -> [String] {
        let result = try presenceSim(["metrics"])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// The first bundled scenario of each design, by the design's name.
    static let scenarioPerDesign: [(design: String, scenario: String)] = {
        var found: [String: String] = [:]
        for scenario in bundledScenarioFiles {
            guard let data = FileManager.default.contents(atPath: repository.path + "/" + scenario),
                let design = try? JSONValue.parse(Array(data))["protocol"]?["design"]?.stringValue
            else { continue }
            found[design] = found[design] ?? scenario
        }
        return found.sorted { $0.key < $1.key }.map { (design: $0.key, scenario: $0.value) }
    }()

    @Test func theCommandListsTheCatalog() throws {
        #expect(try Self.listedPaths() == MetricCatalog.all.map(\.path))
    }

    @Test func everyDesignHasABundledScenario() {
        #expect(Self.scenarioPerDesign.map(\.design) == ["http-polling", "socketio-redis", "ttl-entries"])
    }

    /// Given a scenario with cohorts, the command adds each cohort's paths, and each is a number in its report.
    @Test func aScenarioWithCohortsAddsTheirPaths() throws {
        let result = try presenceSim(["metrics", "Scenarios/workspace.json"])
        #expect(result.status == 0, "\(result.stderr)")
        let paths = result.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        let catalog = MetricCatalog.all.map(\.path)
        #expect(paths == catalog + catalog.map { "cohorts.desktop." + $0 } + catalog.map { "cohorts.phones." + $0 })
        let report = try runReport("Scenarios/workspace.json", engine: "events")
        let missing = paths.filter { report.value(at: $0.split(separator: ".").map(String.init))?.doubleValue == nil }
        // Only a store that expires late reports the expiry lag (below); workspace's expires exactly.
        #expect(missing.allSatisfy { $0.contains("expiryLag.") } && missing.count == 3 * 6, "no number at \(missing)")
        let unreadable = try presenceSim(["metrics", "Scenarios/missing.json"])
        #expect(unreadable.status == 64 && unreadable.stderr.contains("missing.json"))
    }

    /// Every listed path but the expiry lag, which only a store that expires late reports (below).
    @Test(arguments: scenarioPerDesign.map(\.scenario))
    func everyListedPathIsANumberInTheReport(scenario: String) throws {
        let report = try runReport(scenario, engine: "events")
        let missing = try Self.listedPaths().filter {
            report.value(at: $0.split(separator: ".").map(String.init))?.doubleValue == nil
        }
        #expect(missing == Self.expiryLagPaths, "\(scenario): no number at \(missing)")
    }

    private static let expiryLagPaths = MetricCatalog.all.map(\.path).filter { $0.hasPrefix("staleness.expiryLag.") }

    /// With `protocol.expiry` "redis" (or a sweep interval) the report carries the expiry lag too.
    @Test func theExpiryLagIsANumberWithRedisExpiry() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try presenceSim([
            "run", "Scenarios/family-chat.json", "--out", out, "--quiet", "--set", "protocol.expiry=redis", "--set",
            "clients=300", "--set", "duration=20m", "--set", "faults=[]",
        ])
        #expect(result.status == 0 || result.status == 2, "\(result.stderr)")
        let report = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))))
        #expect(Self.expiryLagPaths.count == 6)
        for path in Self.expiryLagPaths {
            #expect(report.value(at: path.split(separator: ".").map(String.init))?.doubleValue != nil, "\(path)")
        }
        #expect((report.value(at: ["staleness", "expiryLag", "count"])?.doubleValue ?? 0) > 0)
    }
}

import Foundation
import Scenario
import Testing

/// `presence-sim load` as users run it: short tests on a bundled scenario, bad options, and Ctrl-C.
@Suite struct LoadCommandTests {
    private func loadJSON(_ folder: String) throws -> JSONValue {
        try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/load.json"))))
    }

    @Test func aFixedSpeedTestWritesItsReports() throws {
        let out = temporaryFolder()
        let result = try presenceSim([
            "load", "Scenarios/family-chat.json", "--set", "clients=400", "--speed", "60", "--duration", "1s",
            "--shards", "1,2", "--out", out,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Operations · 2 shards") && result.stdout.contains("scheduling lag"))
        for name in ["load.json", "load.md", "load.html"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + name), "\(name)")
        }
        let report = try loadJSON(out)
        #expect(report["schema"]?.stringValue == "presence-sim/load@1")
        #expect(report["complete"]?.boolValue == true)
        let runs = try #require(report["runs"]?.arrayValue)
        #expect(runs.map { $0["shards"]?.doubleValue } == [1, 2])
        for run in runs {
            #expect((run["simulatedSeconds"]?.doubleValue ?? 0) == 60)
            let heartbeats = try #require(run["operations"]?["heartbeat"])
            #expect((heartbeats["achieved"]?.doubleValue ?? 0) > 0)
            #expect(heartbeats["latency"]?["p99"]?.doubleValue != nil)
            #expect(run["lapses"]?["tester"]?.doubleValue != nil)
        }
    }

    @Test func aRampJudgesEachStepAndNamesWhyItStopped() throws {
        let out = temporaryFolder()
        // A lag bound nothing can meet: the first two judged steps fail and end the ramp.
        let result = try presenceSim([
            "load", "Scenarios/family-chat.json", "--set", "clients=200", "--ramp", "--shards", "1", "--step", "0.3s",
            "--max-lag", "1us", "--out", out, "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONValue.parse(Array(result.stdout.utf8))
        #expect(report["mode"]?["kind"]?.stringValue == "ramp")
        let run = try #require(report["runs"]?[0])
        #expect(run["steps"]?.arrayValue?.count == 3)
        #expect(run["capacity"]?.isNull == true)
        #expect(run["stopReason"]?.stringValue?.contains("lag p99") == true)
    }

    @Test(arguments: [
        (["--speed", "0"], "--speed"), (["--speed", "nan"], "--speed"), (["--shards", "0"], "--shards"),
        (["--shards", "1,,2"], "--shards"), (["--duration", "-5s"], "--duration"),
        (["--duration", "soon"], "--duration"),
        (["--ramp", "--duration", "5s"], "--duration"), (["--ramp", "--step", "0s"], "--step"),
        (["--ramp", "--max-steps", "0"], "--max-steps"), (["--ramp", "--ramp-factor", "1"], "--ramp-factor"),
        (["--speed", "10000000", "--duration", "7d"], "100 years"),
    ])
    func badOptionsExit64(options: [String], named: String) throws {
        let result = try presenceSim(["load", "Scenarios/family-chat.json", "--out", temporaryFolder()] + options)
        #expect(result.status == 64, "\(options): \(result.stderr)")
        #expect(result.stderr.contains(named), "\(result.stderr)")
    }

    @Test func aSignalStopsTheTestAndWritesAPartialReport() throws {
        let out = temporaryFolder()
        let process = try interrupt(
            ["load", "Scenarios/family-chat.json", "--set", "clients=2000", "--speed", "10", "--out", out, "--quiet"],
            with: SIGINT)
        let sent = Date()
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(sent) < 5)
        #expect(process.terminationStatus == 130)
        let report = try loadJSON(out)
        #expect(report["complete"]?.boolValue == false)
        let reached = try #require(report["runs"]?[0]?["simulatedSeconds"]?.doubleValue)
        #expect(reached > 0 && reached < 3600)
    }
}

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

    /// At a speed the machine keeps up with easily, every offered operation is done and nothing lapses
    /// for the tester's sake.
    @Test func aSlowTestDoesEverythingTheModelAsks() throws {
        let file = temporaryFolder() + ".json"
        try Data(
            """
            {"name": "load", "seed": 3, "duration": "10m", "clients": 300, "rooms": {"size": 5},
             "protocol": {"design": "ttl-entries", "heartbeat": "15s", "ttl": "45s"},
             "behavior": {"online": "never", "offline": "never",
                          "typing": {"burstsPerHour": 20, "burst": {"constant": "5s"}, "keystroke": "500ms"}},
             "network": {"latency": {"constant": "50ms"}}}
            """.utf8
        ).write(to: URL(fileURLWithPath: file))
        let result = try presenceSim([
            "load", file, "--speed", "30", "--duration", "3s", "--shards", "2", "--out", temporaryFolder(),
            "--format", "json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let run = try #require(try JSONValue.parse(Array(result.stdout.utf8))["runs"]?[0])
        #expect(run["complete"]?.boolValue == true && run["simulatedSeconds"]?.doubleValue == 90)
        let operations = try #require(run["operations"])
        // 300 always-online clients arriving uniformly over the first minute, each heartbeating on connect
        // and every 15 s until 90 s: 1 + ⌊(90 − t) / 15⌋ heartbeats for an arrival at t, 4.5 on average,
        // so about 1,350 heartbeats.
        let heartbeats = operations["heartbeat"]?["offered"]?.doubleValue ?? 0
        #expect(heartbeats > 1_200 && heartbeats < 1_500, "\(heartbeats) heartbeats")
        #expect((operations["join"]?["offered"]?.doubleValue ?? 0) >= 300)
        #expect((operations["typing"]?["offered"]?.doubleValue ?? 0) > 0)
        let offered = operations["total"]?["offered"]?.doubleValue ?? 0
        let achieved = operations["total"]?["achieved"]?.doubleValue ?? 0
        #expect(achieved >= offered * 0.95 && achieved <= offered, "\(achieved) of \(offered)")
        #expect((operations["heartbeat"]?["latency"]?["count"]?.doubleValue ?? 0) >= heartbeats * 0.95)
        #expect((run["deliveries"]?.doubleValue ?? 0) > 0)
        // The core handled every operation (and its own timers), in some but not all of the time.
        let core = try #require(run["core"])
        #expect((core["inputs"]?.doubleValue ?? 0) >= achieved)
        let busy = core["busyShare"]?.doubleValue ?? -1
        #expect(busy > 0 && busy < 1, "core busy \(busy)")
        #expect((core["serviceTime"]?.doubleValue ?? 0) > 0)
        // Always online with a 45 s TTL over a 15 s heartbeat: no entry lapses at all.
        #expect(run["lapses"]?["model"]?.doubleValue == 0 && run["lapses"]?["tester"]?.doubleValue == 0)
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

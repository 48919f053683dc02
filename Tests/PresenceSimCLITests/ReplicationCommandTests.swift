import Foundation
import Scenario
import Testing

/// `run --replications`, `sweep --replications` and `compare` of reports with replications, as users run
/// them.
@Suite struct ReplicationCommandTests {
    private let small = [
        "Scenarios/ttl-entries.json", "--quiet", "--set", "clients=100", "--set", "duration=20m", "--set", "warmup=2m",
        "--set", "faults=[]", "--set", "thresholds={}",
    ]

    private func json(_ path: String) throws -> JSONValue {
        try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// report.json without the wall-clock figures, which alone differ between identical runs.
    private func deterministic(_ folder: String) throws -> JSONValue {
        var report = try json(folder + "/report.json")
        for key in ["wallSeconds", "eventsPerSecond", "peakMemoryBytes"] { report["run"]?[key] = nil }
        return report
    }

    @Test func replicationsGiveTheSameBytesWhateverTheJobs() throws {
        let one = temporaryFolder()
        let two = temporaryFolder()
        #expect(try presenceSim(["run"] + small + ["--replications", "3", "--jobs", "1", "--out", one]).status == 0)
        let shown = try presenceSim(["run"] + small + ["--replications", "3", "--jobs", "2", "--out", two])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(try deterministic(one) == deterministic(two))
        #expect(
            try Data(contentsOf: URL(fileURLWithPath: one + "/report.md"))
                == Data(contentsOf: URL(fileURLWithPath: two + "/report.md")))
        let report = try deterministic(one)
        #expect(report["replications"]?["count"] == 3)
        #expect(report["replications"]?["seeds"]?.arrayValue?.first == 3)
        #expect(report["scenario"]?["replications"] == 3)
        #expect(report["run"]?["engine"] == "events")
        let text = try presenceSim(["run"] + small.filter { $0 != "--quiet" } + ["--replications", "3", "--out", two])
        #expect(text.stdout.contains("· 3 replications"))
        #expect(text.stdout.contains("query accuracy") && text.stdout.contains(" ± "))
        #expect(text.stdout.contains("Pooled over 3 replications (seeds 3, "))
    }

    @Test func oneReplicationIsAPlainRun() throws {
        let plain = temporaryFolder()
        let single = temporaryFolder()
        #expect(try presenceSim(["run"] + small + ["--engine", "events", "--out", plain]).status == 0)
        #expect(
            try presenceSim(["run"] + small + ["--engine", "events", "--replications", "1", "--out", single]).status
                == 0)
        #expect(try deterministic(plain) == deterministic(single))
        #expect(try deterministic(plain)["replications"] == nil)
    }

    @Test func badCountsExit64() throws {
        for arguments in [["--replications", "0"], ["--replications", "1001"], ["--jobs", "0"]] {
            let result = try presenceSim(["run"] + small + arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.contains(arguments[0]), "\(arguments): \(result.stderr)")
        }
        let key = try presenceSim(["run"] + small + ["--set", "replications=0"])
        #expect(key.status == 64)
        #expect(key.stderr.contains("replications: expected a whole number of replications between 1 and 1000"))
        #expect(
            try presenceSim(["sweep"] + small + ["--set", "protocol.heartbeat=10s,20s", "--replications", "0"]).status
                == 64)
    }

    /// A heartbeat three times as long makes detection significantly slower: a regression, exit 2. The
    /// same design on other seeds differs only within the noise on the figures compared.
    @Test func compareSaysWhetherADifferenceIsSignificant() throws {
        let base = temporaryFolder()
        let slower = temporaryFolder()
        let reseeded = temporaryFolder()
        let replicated = small + ["--replications", "5"]
        #expect(try presenceSim(["run"] + replicated + ["--out", base]).status == 0)
        #expect(
            try presenceSim(
                ["run"] + replicated + [
                    "--set", "protocol.heartbeat=30s", "--set", "protocol.ttl=90s", "--out", slower,
                ]
            ).status == 0)
        #expect(try presenceSim(["run"] + replicated + ["--seed", "77", "--out", reseeded]).status == 0)
        let metrics = ["--metric", "staleness.offlineDetection.p99", "--metric", "staleness.queryAccuracy"]
        let worse = try presenceSim(["compare", base + "/report.json", slower + "/report.json"] + metrics)
        #expect(worse.status == 2, "\(worse.stdout)")
        #expect(worse.stdout.contains("95% (Welch)") && worse.stdout.contains("significant (p < 0.001)"))
        let noise = try presenceSim(["compare", base + "/report.json", reseeded + "/report.json", "--all"] + metrics)
        #expect(noise.status == 0, "\(noise.stdout)")
        #expect(noise.stdout.contains("not significant"))
        #expect(!noise.stdout.contains("regressed  "), "\(noise.stdout)")
    }

    @Test func sweepPointsCarryIntervalsAndThePageDrawsErrorBars() throws {
        let out = temporaryFolder()
        let result = try presenceSim(
            ["sweep"] + small + ["--set", "protocol.heartbeat=10s,20s", "--replications", "3", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let sweep = try json(out + "/sweep.json")
        let points = try #require(sweep["points"]?.arrayValue)
        #expect(points.count == 2)
        for point in points {
            #expect(point["replications"]?["count"] == 3)
            #expect(point["replications"]?["metrics"]?["cost.heartbeatsPerSecond"]?["ci95"]?.arrayValue?.count == 2)
        }
        #expect(sweep["pareto"]?["notDistinguishable"] != nil)
        let page = try String(contentsOfFile: out + "/sweep.html", encoding: .utf8)
        #expect(page.contains("class=\"error-bar\""))
        // Shards of a replicated sweep merge into the same sweep, intervals and marks included.
        let shards = [temporaryFolder(), temporaryFolder()]
        for (index, folder) in shards.enumerated() {
            let shard = try presenceSim(
                ["sweep"] + small + [
                    "--set", "protocol.heartbeat=10s,20s", "--replications", "3", "--shard", "\(index)/2", "--out",
                    folder,
                ])
            #expect(shard.status == 0, "\(shard.stderr)")
        }
        let merged = temporaryFolder()
        #expect(try presenceSim(["merge"] + shards + ["--out", merged]).status == 0)
        #expect(try json(merged + "/sweep.json") == sweep)
    }

    /// Ctrl-C between replications keeps those that finished, marked incomplete.
    @Test func aSignalKeepsTheFinishedReplications() throws {
        let out = temporaryFolder()
        let process = try interrupt(
            [
                "run", "Scenarios/ttl-entries.json", "--set", "clients=40", "--set", "duration=30m", "--set",
                "faults=[]",
                "--replications", "1000", "--jobs", "1", "--out", out, "--quiet",
            ], with: SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let report = try json(out + "/report.json")
        #expect(report["complete"] == false)
        let count = try #require(report["replications"]?["count"]?.doubleValue)
        #expect(count >= 1 && count < 1000)
        #expect(report["replications"]?["planned"] == 1000)
        #expect(report["run"]?["simulatedSeconds"] == 1800)
    }
}

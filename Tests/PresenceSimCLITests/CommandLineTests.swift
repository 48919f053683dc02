import Foundation
import Scenario
import Testing

/// The built binary, next to the test bundle.
let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("presence-sim")
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../..").standardizedFileURL

struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `presence-sim` with `arguments` in the repository folder; stdout and stderr are pipes, not a
/// terminal, so there is no colour and no progress bar.
func presenceSim(_ arguments: [String], limit: Duration = .seconds(900)) throws -> Result {
    try execute(binary, arguments, in: repository, limit: limit)
}

/// Terminates `process` if it is still running after `limit`, unless the returned item is cancelled first.
func terminate(_ process: Process, after limit: Duration) -> DispatchWorkItem {
    let watchdog = DispatchWorkItem {
        if process.isRunning { process.terminate() }
    }
    let (seconds, attoseconds) = limit.components
    let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
    DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds), execute: watchdog)
    return watchdog
}

/// Runs `executable` with `arguments` in `folder`, with `environment` added to this process's, and
/// collects its exit status and output. A process still running after `limit` is terminated (its status is
/// then `SIGTERM`'s), so that a hang fails its test instead of stalling the suite.
func execute(
    _ executable: URL, _ arguments: [String], in folder: URL, environment: [String: String] = [:],
    limit: Duration = .seconds(900)
) throws -> Result {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = folder
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let watchdog = terminate(process, after: limit)
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    watchdog.cancel()
    return Result(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr, as: UTF8.self))
}

/// Starts `presence-sim` with `arguments` in the repository folder, its output discarded.
func start(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = repository
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

func temporaryFolder() -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("presence-sim-\(UUID().uuidString)")
    return url.path
}

/// A short run of a bundled scenario: 300 clients for 15 minutes, without its faults.
private let small = ["--set", "clients=300", "--set", "duration=15m", "--set", "warmup=2m", "--set", "faults=[]"]

@Suite struct CommandLineTests {
    @Test func runPrintsTheSummaryAndWritesThreeReports() throws {
        let out = temporaryFolder()
        let result = try presenceSim(["run", "Scenarios/family-chat.json", "--out", out, "--engine", "events"] + small)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("family-chat · socketio-redis · 300 clients · 15m simulated (2m warm-up)"))
        for section in ["Thresholds", "Staleness", "Heartbeat cost", "Fan-out", "Reports: "] {
            #expect(result.stdout.contains(section), "missing \(section)")
        }
        #expect(!result.stdout.contains("\u{1B}["), "colour on a pipe")
        #expect(result.stderr.isEmpty, "progress or noise on a pipe: \(result.stderr)")
        for file in ["report.json", "report.md", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "missing \(file)")
        }
        let report = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))))
        #expect(report["schema"]?.stringValue == "presence-sim/report@1")
        #expect(report["complete"]?.boolValue == true)
        #expect(report["scenario"]?["protocol"]?["pingInterval"]?.stringValue == "25s")
    }

    @Test func aFailedThresholdExitsTwoAndIsListedFirst() throws {
        let result = try presenceSim(
            ["run", "Scenarios/family-chat.json", "--out", temporaryFolder(), "--engine", "events"] + small
                + ["--set", #"thresholds={"cost.heartbeatsPerSecond": "< 1", "staleness.queryAccuracy": ">= 1%"}"#])
        #expect(result.status == 2)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let first = try #require(lines.firstIndex { $0.contains("cost.heartbeatsPerSecond") })
        #expect(lines[first].contains("FAIL"))
        #expect(lines[first + 1].contains("pass") && lines[first + 1].contains("staleness.queryAccuracy"))
    }

    @Test func jsonFormatPrintsTheReport() throws {
        let result = try presenceSim(
            ["run", "Scenarios/ttl-entries.json", "--format", "json", "--out", temporaryFolder(), "--engine", "events"]
                + small)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONValue.parse(Array(result.stdout.utf8))
        #expect(report["run"]?["engine"]?.stringValue == "events")
        #expect(report["staleness"]?["offlineDetection"]?["p99"]?.doubleValue != nil)
    }

    @Test func badInputNamesTheFileAndPathAndExits64() throws {
        let file = temporaryFolder() + ".json"
        try Data(
            #"{"name": "x", "duration": "1h", "clients": 10, "rooms": {"size": 2}, "protocol": {"design": "socketio-redis", "heartbeat": 20}}"#
                .utf8
        )
        .write(to: URL(fileURLWithPath: file))
        let result = try presenceSim(["run", file])
        #expect(result.status == 64)
        #expect(result.stderr.contains(file + ": protocol.heartbeat: expected a duration"))
        #expect(result.stdout.isEmpty)

        let missing = try presenceSim(["run", "Scenarios/no-such-file.json"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("no-such-file.json"))

        let override = try presenceSim(["run", "Scenarios/family-chat.json", "--set", "protocol.heartbeat=-5s"])
        #expect(override.status == 64)
        #expect(override.stderr.contains("protocol.heartbeat"))

        let engine = try presenceSim(["run", "Scenarios/family-chat.json", "--engine", "warp"])
        #expect(engine.status == 64)
    }

    @Test func validateChecksEveryFile() throws {
        let good = try presenceSim(["validate", "Scenarios/family-chat.json", "Scenarios/ttl-entries.json"])
        #expect(good.status == 0)
        #expect(good.stdout.split(separator: "\n").count == 2)
        let broken = temporaryFolder() + ".json"
        try Data(#"{"name": "x",}"#.utf8).write(to: URL(fileURLWithPath: broken))
        let bad = try presenceSim(["validate", "Scenarios/family-chat.json", broken])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains(broken + ":1:"))
    }

    @Test func helpTeachesWithExamples() throws {
        let top = try presenceSim(["--help"])
        #expect(top.status == 0)
        #expect(top.stdout.contains("presence-sim run Scenarios/family-chat.json"))
        let run = try presenceSim(["run", "--help"])
        #expect(run.stdout.contains("Exit codes"))
        #expect(run.stdout.contains("--engine"))
    }

    @Test func metricsListsTheCatalog() throws {
        let result = try presenceSim(["metrics"])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").count == MetricCatalog.all.count)
        #expect(result.stdout.contains("staleness.queryAccuracy"))
    }
}

/// `compare` on real reports: two runs of design C that differ only in TTL.
@Suite struct CompareCommandTests {
    private static func report(ttl: String) throws -> String {
        let out = temporaryFolder()
        let arguments = ["run", "Scenarios/ttl-entries.json", "--out", out, "--engine", "events", "--quiet"]
        let settings = ["--set", "protocol.ttl=\(ttl)", "--set", "thresholds={}"]
        let result = try presenceSim(arguments + settings + small)
        #expect(result.status == 0, "\(result.stderr)")
        return out + "/report.json"
    }

    @Test func exitCodesFollowTheVerdicts() throws {
        let short = try Self.report(ttl: "30s")
        let long = try Self.report(ttl: "60s")
        let metric = ["--metric", "staleness.store.offlineDetection.mean"]
        let equal = try presenceSim(["compare", short, short])
        #expect(equal.status == 0, "\(equal.stdout)")
        #expect(equal.stdout.contains("0 regressed, 0 improved"))
        let worse = try presenceSim(["compare", short, long] + metric)
        #expect(worse.status == 2, "\(worse.stdout)")
        #expect(worse.stdout.contains("regressed"))
        let better = try presenceSim(["compare", long, short] + metric)
        #expect(better.status == 4, "\(better.stdout)")
        let tolerant = try presenceSim(["compare", short, long, "--tolerance", "500%"] + metric)
        #expect(tolerant.status == 0, "\(tolerant.stdout)")
        let markdown = try presenceSim(["compare", short, long, "--format", "md"] + metric)
        #expect(markdown.stdout.contains("| metric | baseline | current | change | verdict |"))
        let json = try presenceSim(["compare", short, long, "--format", "json"] + metric)
        #expect(try JSONValue.parse(json.stdout)["regressions"]?.doubleValue == 1)
    }

    @Test func mismatchedOrBrokenInputExits64() throws {
        let report = try Self.report(ttl: "30s")
        let other = try presenceSim(["compare", report, "Reports/baselines/family-chat.json"])
        #expect(other.status == 64)
        #expect(other.stderr.contains("'ttl-entries'") && other.stderr.contains("'family-chat'"))
        let unknown = try presenceSim(["compare", report, report, "--metric", "staleness.offlineDetection.p98"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("did you mean"))
        let scenario = try presenceSim(["compare", report, "Scenarios/family-chat.json"])
        #expect(scenario.status == 64)
        #expect(scenario.stderr.contains("no \"schema\""))
    }
}

/// `sweep` and `merge` with the real binary.
@Suite struct SweepCommandTests {
    private let base = ["sweep", "Scenarios/heartbeat-sweep.json", "--quiet", "--set", "clients=200"]

    private func sweepJSON(_ folder: String) throws -> JSONValue {
        try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/sweep.json"))))
    }

    /// The bundled heartbeat sweep: cost falls and offline detection rises with the interval.
    @Test func aHeartbeatSweepTradesCostForStaleness() throws {
        let out = temporaryFolder()
        let result = try presenceSim(base + ["--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let points = try #require(try sweepJSON(out)["points"]?.arrayValue)
        #expect(points.map { $0["params"]?["protocol.heartbeat"]?.stringValue } == ["10s", "20s", "30s", "60s"])
        let cost = points.compactMap { $0["cost"]?["heartbeatsPerSecond"]?.doubleValue }
        let detection = points.compactMap { $0["staleness"]?["offlineDetection"]?["p99"]?.doubleValue }
        #expect(cost.count == 4 && zip(cost, cost.dropFirst()).allSatisfy { $0 > $1 }, "\(cost)")
        #expect(detection.count == 4 && zip(detection, detection.dropFirst()).allSatisfy { $0 < $1 }, "\(detection)")
        for file in ["sweep.md", "sweep.html"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file))
        }
    }

    /// Results do not depend on --jobs, and shards merge into the same sweep.
    @Test func jobsAndShardsDoNotChangeResults() throws {
        let one = temporaryFolder()
        let two = temporaryFolder()
        #expect(try presenceSim(base + ["--jobs", "1", "--out", one]).status == 0)
        #expect(try presenceSim(base + ["--jobs", "2", "--out", two]).status == 0)
        #expect(try sweepJSON(one) == sweepJSON(two))
        let shards = [temporaryFolder(), temporaryFolder()]
        for (index, folder) in shards.enumerated() {
            #expect(try presenceSim(base + ["--shard", "\(index)/2", "--out", folder]).status == 0)
            #expect(try sweepJSON(folder)["complete"]?.boolValue == false)
        }
        let merged = temporaryFolder()
        let result = try presenceSim(["merge"] + shards + ["--out", merged])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try sweepJSON(merged) == sweepJSON(one))
    }

    /// Two sweeps writing into one folder at the same moment: the last writer wins with whole files, and
    /// sweep.json, sweep.md and sweep.html all come from the same sweep. Nothing else is left behind.
    @Test func concurrentSweepsIntoOneFolderLeaveOneWholeSweep() throws {
        let files = ["sweep.json", "sweep.md", "sweep.html"]
        func contents(_ folder: String) throws -> [Data] {
            try files.map { try Data(contentsOf: URL(fileURLWithPath: folder + "/" + $0)) }
        }
        let settings = [["protocol.heartbeat=10s,20s"], ["protocol.heartbeat=30s,60s"]].map { values in
            [
                "sweep", "Scenarios/heartbeat-sweep.json", "--quiet", "--jobs", "1", "--set", "clients=30", "--set",
                "duration=15m", "--set", "warmup=1m",
            ]
                + values.flatMap { ["--set", $0] }
        }
        var alone: [[Data]] = []
        for arguments in settings {
            let folder = temporaryFolder()
            #expect(try presenceSim(arguments + ["--out", folder]).status == 0)
            alone.append(try contents(folder))
        }
        #expect(alone[0] != alone[1])
        let shared = temporaryFolder()
        for _ in 0..<2 {
            let processes = try settings.map { try start($0 + ["--out", shared]) }
            for process in processes {
                process.waitUntilExit()
                #expect(process.terminationStatus == 0)
            }
            let written = try contents(shared)
            #expect(written == alone[0] || written == alone[1], "a mix of two sweeps' files")
            #expect(try FileManager.default.contentsOfDirectory(atPath: shared).sorted() == files.sorted())
        }
    }

    @Test func badSweepsExit64() throws {
        let negative = try presenceSim(["sweep", "Scenarios/family-chat.json", "--set", "protocol.heartbeat=10s,-3s"])
        #expect(negative.status == 64)
        #expect(negative.stderr.contains("protocol.heartbeat"))
        let zipped = try presenceSim(
            [
                "sweep", "Scenarios/family-chat.json", "--set", "protocol.heartbeat=10s,20s", "--set",
                "protocol.ttl=30s,45s,60s", "--zip",
            ])
        #expect(zipped.status == 64)
        #expect(zipped.stderr.contains("same length"))
        let metric = try presenceSim([
            "sweep", "Scenarios/heartbeat-sweep.json", "--y", "staleness.offlineDetection.p98",
        ])
        #expect(metric.status == 64)
    }
}

/// Starts `presence-sim` with `arguments` and sends it `signal` two seconds later.
func interrupt(_ arguments: [String], with signal: Int32) throws -> Process {
    let process = try start(arguments)
    Thread.sleep(forTimeInterval: 2)
    kill(process.processIdentifier, signal)
    return process
}

/// Stopping a run by signal keeps what was measured.
@Suite struct InterruptionTests {

    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func aSignalStopsTheRunAndWritesAPartialReport(signal: Int32, status: Int32) throws {
        let out = temporaryFolder()
        let process = try interrupt(
            ["run", "Scenarios/family-chat.json", "--set", "clients=50000", "--out", out, "--quiet"], with: signal)
        let sent = Date()
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(sent) < 5)
        #expect(process.terminationStatus == status)
        let report = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))))
        #expect(report["complete"]?.boolValue == false)
        let reached = try #require(report["run"]?["simulatedSeconds"]?.doubleValue)
        #expect(reached > 0 && reached < 3600)
        let compare = try presenceSim(["compare", out + "/report.json", out + "/report.json"])
        #expect(compare.status == 64)
        #expect(compare.stderr.contains("--allow-incomplete"))
    }

    @Test func aSignalStopsASweepAndKeepsTheFinishedPoints() throws {
        let out = temporaryFolder()
        let process = try interrupt(
            [
                "sweep", "Scenarios/family-chat.json", "--set", "clients=50000", "--set", "protocol.heartbeat=10s,20s",
                "--out", out, "--quiet",
            ], with: SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let sweep = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/sweep.json"))))
        #expect(sweep["complete"]?.boolValue == false)
        #expect((sweep["points"]?.arrayValue?.count ?? 99) < 2)
    }
}

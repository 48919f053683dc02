import ArgumentParser
import Foundation
import PresenceCore
import RedisTarget
import Reporting
import Scenario
import Simulation

struct Load: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load-test the presence core in real time with the scenario's clients.",
        discussion: """
            The scenario's behaviour models run as client actors on Swift's concurrent executor, in real \
            time compressed by --speed (simulated seconds per wall-clock second), against the presence core \
            sharded by room over --shards actors. This measures what virtual time cannot: how many \
            operations per second the core and the actor runtime sustain on this machine, their latency \
            (p50, p99, p99.9, max), and how late the tester fires events (scheduling lag). Entries that \
            lapse because the tester fell behind are counted apart from those the model let lapse.

            --ramp raises the speed step by step (each step --step long, --ramp-factor faster than the \
            last) until two steps in a row break a bound (lag p99, latency p99, or less than 95% of the \
            offered operations achieved), and reports the fastest sustained step for each shard count: what \
            the core and the tester sustain together on this machine. How busy the core shards were, and \
            their time per input, tell which of the two set the limit. The first step is a \
            warm-up and is not judged; a ramp leaves the scenario's faults out, so that a restart's burst \
            does not end it early.

            Writes DIR/load.json (schema presence-sim/load@1), load.md and load.html. Results vary from \
            run to run: staleness, cost and fan-out come from `presence-sim run`, which is deterministic.

            Examples:
              presence-sim load Scenarios/family-chat.json --ramp
              presence-sim load Scenarios/family-chat.json --speed 100 --shards 2 --duration 30s
              presence-sim load Scenarios/big-room.json --ramp --shards 1,2 --step 3s --max-lag 20ms
              presence-sim load Scenarios/family-chat.json --target redis://127.0.0.1:6379 --speed 20
              presence-sim load Scenarios/family-chat.json --target rediss://127.0.0.1:6380 --tls-ca ca.pem

            Ctrl-C (or SIGTERM) stops the test within a second and still writes what was measured, marked \
            "complete": false; a second Ctrl-C quits at once.

            --target redis[s]://[:password@]host:port[/db] also sends each operation to that Redis server \
            as the design's seed issues it (design A's SADD, SET … PX, SREM and SMEMBERS; design B's SET … PX, \
            SADD + PEXPIRE, SREM and pipelined GETs), and times the round trips: the latency is then \
            Redis's. The password may come from REDIS_PASSWORD instead of the URL; it is never printed. Keys \
            start with --key-prefix and are deleted at the end (also after Ctrl-C); TTLs are divided by the \
            speed and sent in milliseconds. Design ttl-entries keeps its entries in its own server and \
            cannot target Redis. A host other than this machine needs --allow-remote. The test stops, with a \
            partial report marked "complete": false, once more than 5% of its operations failed (at least \
            20).

            rediss://… speaks TLS to the server, verifying its certificate, for the URL's host, against the \
            system's trust roots or, with --tls-ca FILE, the CAs in that PEM file. --tls-insecure skips the \
            verification: INSECURE, for a test server with a self-signed certificate only. A failed TLS \
            handshake exits 69, like an unreachable server; a CA file that cannot be used, 64.

            --observe-expiry (with --target) measures how late Redis announces that the test's keys expired: \
            it adds E and x to notify-keyspace-events for the test (CONFIG SET; the previous value is put \
            back at the end), subscribes on a connection of its own to __keyevent@<db>__:expired, and reports \
            the wall-clock lag from each key's deadline (when the tester set its PX TTL, plus the TTL) to its \
            expired event — count, p50, p90, p99, max — and how many keys passed their deadline without an \
            event before the test ended. Redis deletes an expired key, and announces it, only when a read \
            touches it or its active-expiry cycle finds it, so with many keys the event comes seconds to \
            minutes late: a design that reacts to expiry through these events inherits that lag.

            Exit codes: 0 ok · 64 bad input (also a refused Redis password, or a --tls-ca file that cannot \
            be used) · 69 the Redis target cannot be reached (or its TLS handshake failed), or failed \
            during the test (the report is written) · 1 internal failure · 130 / 143 stopped by SIGINT / \
            SIGTERM.
            """
    )

    @Argument(help: "The scenario file (JSON).", completion: .file(extensions: ["json"]))
    var file: String

    @Option(
        help: ArgumentHelp(
            "Core shards (actors), or a list like 1,2,4 run in turn (default: the number of cores; 1,2,4 with --ramp).",
            valueName: "n[,n...]"))
    var shards: String?

    @Option(
        help: ArgumentHelp(
            "Simulated seconds per wall-clock second (default 60; with --ramp, the first step's speed, default 10).",
            valueName: "x"))
    var speed: Double?

    @Flag(help: "Raise the speed step by step until a bound breaks, and report the capacity per shard count.")
    var ramp = false

    @Option(
        help: ArgumentHelp(
            "Wall-clock length of a fixed-speed test (default: the scenario's duration at --speed).",
            valueName: "duration"))
    var duration: String?

    @Option(help: ArgumentHelp("Wall-clock length of each ramp step.", valueName: "duration"))
    var step: String = "5s"

    @Option(name: .customLong("ramp-factor"), help: "How much faster each ramp step is than the last.")
    var rampFactor: Double = 1.5

    @Option(name: .customLong("max-steps"), help: "The most ramp steps per shard count (the ramp always ends).")
    var maxSteps: Int = 24

    @Option(name: .customLong("max-lag"), help: ArgumentHelp("A ramp step's bound on lag p99.", valueName: "duration"))
    var maxLag: String = "50ms"

    @Option(
        name: .customLong("max-latency"),
        help: ArgumentHelp("A ramp step's bound on operation latency p99.", valueName: "duration"))
    var maxLatency: String = "10ms"

    @Option(help: ArgumentHelp("Where to write the reports (default Reports/<name>-load).", valueName: "dir"))
    var out: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Override a scenario key, e.g. clients=50000 (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: "Override the scenario's seed.")
    var seed: UInt64?

    @Option(help: "What to print: text (a summary) or json (load.json).")
    var format: OutputFormat = .text

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @OptionGroup(title: "Redis target") var redisTarget: RedisTargetOptions

    @Option(help: "Connections to the --target server (default 4).")
    var connections: Int?

    @Flag(
        name: .customLong("observe-expiry"),
        help: "Measure how late the --target announces the test's keys expired (sets notify-keyspace-events).")
    var observeExpiry = false

    /// The longest simulated stretch a test may cover: a scenario's longest duration.
    static let longestSimulated = Scenario.longestDuration.seconds

    func validate() throws {
        if let speed, !(speed.isFinite && speed > 0 && speed <= 1e7) {
            throw ValidationError("--speed: expected a number above 0 and at most 10000000, found \(speed)")
        }
        if ramp, duration != nil {
            throw ValidationError("--duration applies to a fixed-speed test; a ramp runs --max-steps steps of --step")
        }
        if !(rampFactor.isFinite && rampFactor >= 1.05 && rampFactor <= 10) {
            throw ValidationError("--ramp-factor: expected a number from 1.05 to 10, found \(rampFactor)")
        }
        if !(1...200).contains(maxSteps) {
            throw ValidationError("--max-steps: expected 1 to 200, found \(maxSteps)")
        }
        _ = try shardCounts(onePerClient: true)
        _ = try durations()
        _ = try redisConfiguration()
    }

    /// The `--target` server's configuration, checked; nil without `--target`.
    func redisConfiguration() throws -> RedisConfiguration? {
        try redisTarget.requireTarget(
            for: "a test", others: ["--connections", "--observe-expiry"],
            othersGiven: connections != nil || observeExpiry)
        guard
            let configuration = try redisTarget.configuration(
                risk: "; a load test sends it thousands of writes a second")
        else { return nil }
        if let connections, !(1...256).contains(connections) {
            throw ValidationError("--connections: expected 1 to 256, found \(connections)")
        }
        var checked = configuration
        // A command is answered in microseconds; one that takes seconds means the server is gone.
        checked.commandTimeout = .seconds(5)
        return checked
    }

    /// The duration options, in seconds, each checked against its range.
    func durations() throws -> (step: Double, maxLag: Double, maxLatency: Double, duration: Double?) {
        (
            try Self.interval(step, option: "--step", within: 0.1...3600),
            try Self.interval(maxLag, option: "--max-lag", within: 1e-6...3600),
            try Self.interval(maxLatency, option: "--max-latency", within: 1e-6...3600),
            try duration.map { try Self.interval($0, option: "--duration", within: 0.1...(7 * 86_400)) }
        )
    }

    /// The core shard counts to run; a scenario whose clients are in several rooms runs on one shard, since
    /// rooms are what the shards divide and such a client's changes reach rooms on several of them.
    func shardCounts(onePerClient: Bool) throws -> [Int] {
        guard onePerClient else {
            guard shards == nil || shards == "1" else {
                throw ValidationError(
                    "--shards: the scenario's clients are in several rooms each (rooms.perClient or rooms.threads), "
                        + "so its core runs on one shard, found '\(shards ?? "")'")
            }
            return [1]
        }
        guard let shards else { return ramp ? [1, 2, 4] : [ProcessInfo.processInfo.activeProcessorCount] }
        let counts = shards.split(separator: ",", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard !counts.isEmpty, counts.allSatisfy({ $0 != nil && (1...256).contains($0!) }) else {
            throw ValidationError("--shards: expected counts from 1 to 256 like 2 or 1,2,4, found '\(shards)'")
        }
        return counts.map { $0! }
    }

    /// A duration option in seconds, within `range`.
    static func interval(_ text: String, option: String, within range: ClosedRange<Double>) throws -> Double {
        guard let interval = Interval(parsing: text) else {
            let problem = Interval.problem(parsing: text).map { "; \($0)" } ?? ""
            throw ValidationError(
                "\(option): expected a duration like 500ms, 5s, 2m or 1m30s, found '\(text)'\(problem)")
        }
        guard range.contains(interval.seconds) else {
            throw ValidationError(
                "\(option): expected a duration from \(Format.seconds(range.lowerBound)) to "
                    + "\(Format.seconds(range.upperBound)), found \(text)")
        }
        return interval.seconds
    }

    func run() throws {
        var parsed = try overrides.map { text in try ScenarioInput.override(text) }
        if let seed { parsed.append(Override(path: "seed", value: JSONValue(seed))) }
        let scenario = try ScenarioInput.load(file, overrides: parsed)
        let redisConfiguration = try redisConfiguration()
        if redisConfiguration != nil, !RedisCommands.keepsPresenceInRedis(scenario.presence.design) {
            throw ValidationError(
                "--target: design \(scenario.presence.design.rawValue) keeps its entries in its own server, not in "
                    + "Redis, so there is nothing to send to Redis: load-test it without --target")
        }
        let counts = try shardCounts(onePerClient: scenario.rooms.isPartition)
        let given = try durations()
        let schedule: SpeedSchedule
        let mode: LoadReport.Mode
        if ramp {
            let stepSeconds = given.step
            let first = speed ?? 10
            guard
                let ramp = SpeedSchedule.ramp(
                    first: first, factor: rampFactor, stepLength: Interval(seconds: stepSeconds),
                    maximumSteps: maxSteps, longestSimulated: Scenario.longestDuration)
            else {
                throw ValidationError("--speed \(first) × --step \(step) covers more than 100 simulated years")
            }
            schedule = ramp
            let bounds = RampBounds(lagP99: given.maxLag, latencyP99: given.maxLatency)
            mode = .ramp(bounds: bounds, stepSeconds: stepSeconds)
        } else {
            let speed = speed ?? 60
            var simulated = scenario.duration.seconds
            if let wall = given.duration { simulated = wall * speed }
            guard simulated <= Self.longestSimulated else {
                throw ValidationError(
                    "--duration \(duration ?? "") at --speed \(Format.number(speed)) covers "
                        + "\(Format.seconds(simulated)) simulated, more than 100 years")
            }
            schedule = .constant(speed: speed, simulated: Interval(seconds: simulated))
            mode = .fixed(speed: speed)
        }

        let session = try redisConfiguration.map {
            try RedisSession.open(
                $0, connections: connections ?? RedisSession.defaultConnections,
                keyPrefix: redisTarget.prefix)
        }
        let watch = try observeExpiry ? session.map(ExpiryWatch.start) : nil
        let interruption = Interruption()
        let tty = !quiet && isatty(STDERR_FILENO) != 0
        var runs: [LoadRun] = []
        var deleted = 0
        var cleanupError: String?
        var usedMemoryAfter: Int?
        for shards in counts {
            let judge = RampJudge(mode: mode)
            // A driver awaits each operation's round trip in turn: against Redis, more drivers keep more
            // requests in flight, four per connection.
            let drivers = session.map {
                max(2 * ProcessInfo.processInfo.activeProcessorCount, 4 * $0.pool.connections.count)
            }
            var redis = session?.options
            if let watch, let client = redis?.client { redis?.client = watch.observer.wrapping(client) }
            let options = LoadTest.Options(
                shards: shards, schedule: schedule, faults: !ramp, drivers: drivers, redis: redis)
            let outcome = try blockingWait {
                await LoadTest.run(
                    scenario, options: options,
                    onStep: { step in
                        let verdict = judge.judge(step)
                        if tty { Self.showProgress(step, shards: shards, verdict: verdict.text) }
                        return verdict.goOn
                    }, shouldStop: { interruption.requested })
            }
            runs.append(judge.run(outcome))
            watch?.observer.endTest()
            if let session {
                // Each run starts from an empty keyspace of its own; memory is read before the keys go.
                usedMemoryAfter = session.usedMemory()
                switch session.deleteKeys() {
                case .success(let count): deleted += count
                case .failure(let error): cleanupError = cleanupError ?? error.description
                }
            }
            if interruption.requested || outcome.stopReason != nil { break }
        }
        let restoreError = session.flatMap { watch?.stop($0) }
        session?.close()
        if let restoreError, let watch {
            printError(
                "warning: notify-keyspace-events could not be put back to '\(watch.previousFlags)' (\(restoreError)); "
                    + "set it yourself: redis-cli CONFIG SET notify-keyspace-events '\(watch.previousFlags)'")
        }
        let targetSummary = session.map { session in
            LoadReport.RedisTargetSummary(
                url: RedisSession.url(session.configuration), redisVersion: session.redisVersion,
                connections: session.pool.connections.count, keyPrefix: session.keyPrefix,
                usedMemoryBefore: session.usedMemoryBefore,
                usedMemoryAfter: usedMemoryAfter, keysDeleted: deleted, cleanupError: cleanupError,
                expiry: watch.map {
                    LoadReport.ExpiryNotifications(
                        observation: $0.observer.observation, flags: $0.flags, previousFlags: $0.previousFlags,
                        restoreError: restoreError)
                })
        }
        if let cleanupError, let session {
            printError(
                "warning: the test's keys could not all be deleted (\(cleanupError)); delete the keys starting with "
                    + "'\(session.keyPrefix)' yourself, e.g. redis-cli --scan --pattern '\(session.keyPrefix)*'")
        }
        let report = LoadReport(
            scenario: scenario, mode: mode, runs: runs, cores: ProcessInfo.processInfo.activeProcessorCount,
            peakMemoryBytes: ProcessMemory.peakBytes(), target: targetSummary)
        let files = try ReportWriter.write(report, to: out ?? "Reports/\(scenario.name)-load")
        printResult(
            format: format, quiet: quiet, json: { report.json }, headline: report.headline, tables: report.tables,
            closing: ["Reports: " + files.joined(separator: "  ")])
        if let code = interruption.exitCode { throw ExitCode(code) }
        if let reason = runs.lazy.compactMap(\.outcome.stopReason).first {
            printError("error: the test stopped early: \(reason)")
            throw ExitCode(RedisSession.unavailable)
        }
    }

    private static func showProgress(_ step: LoadTest.MeasuredStep, shards: Int, verdict: String) {
        let rate = { (count: Int) in Format.number(Double(count) / max(step.wallSeconds, 1e-9)) }
        let line =
            "\(shards) shard\(shards == 1 ? "" : "s") · step \(step.index) · \(Format.number(step.speed))× · "
            + "\(rate(step.achievedTotal)) of \(rate(step.offeredTotal)) operations/s · "
            + "lag p99 \(Format.wall(step.lag.p99)) · latency p99 \(Format.wall(step.latency.p99))"
            + (verdict.isEmpty ? "" : " · \(verdict)")
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

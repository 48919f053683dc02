import Foundation
import PresenceCore
import Scenario
import Simulation

/// When a ramp step counts as sustained: the tester kept up (lag), the core answered in time (latency),
/// and the operations due in the step were done in it.
public struct RampBounds: Sendable, Hashable {
    /// The p99 of how late events fired, in seconds.
    public var lagP99: Double
    /// The p99 of operation latency, in seconds.
    public var latencyP99: Double
    /// The least share of the offered operations that must be achieved.
    public var achievedShare: Double

    public init(lagP99: Double, latencyP99: Double, achievedShare: Double = 0.95) {
        self.lagP99 = lagP99
        self.latencyP99 = latencyP99
        self.achievedShare = achievedShare
    }

    /// What the step broke, empty when it was sustained.
    public func violations(_ step: LoadTest.MeasuredStep) -> [String] {
        var broken: [String] = []
        if step.lag.p99 > lagP99 {
            broken.append("lag p99 \(Format.wall(step.lag.p99)) > \(Format.wall(lagP99))")
        }
        if step.latency.p99 > latencyP99 {
            broken.append("latency p99 \(Format.wall(step.latency.p99)) > \(Format.wall(latencyP99))")
        }
        let share = step.offeredTotal > 0 ? Double(step.achievedTotal) / Double(step.offeredTotal) : 1
        if share < achievedShare {
            broken.append("achieved \(Format.percent(share)) of offered < \(Format.percent(achievedShare))")
        }
        return broken
    }

    var json: JSONValue {
        ["lagP99": JSONValue(lagP99), "latencyP99": JSONValue(latencyP99), "achievedShare": JSONValue(achievedShare)]
    }
}

/// One load test in a report: a fixed-speed run, or one shard count's ramp.
public struct LoadRun: Sendable {
    public var outcome: LoadOutcome
    /// For a ramp: the fastest sustained step (nil when even the first judged step failed), and why
    /// the ramp stopped.
    public var capacity: LoadTest.MeasuredStep?
    public var stopReason: String?

    public init(outcome: LoadOutcome, capacity: LoadTest.MeasuredStep? = nil, stopReason: String? = nil) {
        self.outcome = outcome
        self.capacity = capacity
        self.stopReason = stopReason
    }

    /// Operations per wall-clock second over the run.
    func perSecond(_ count: Int) -> Double { outcome.wallSeconds > 0 ? Double(count) / outcome.wallSeconds : 0 }
}

/// What `presence-sim load` writes: `load.json` (schema `presence-sim/load@1`), the summary and
/// `load.html`.
public struct LoadReport: Sendable {
    public static let schema = "presence-sim/load@1"

    public enum Mode: Sendable {
        case fixed(speed: Double)
        case ramp(bounds: RampBounds, stepSeconds: Double)
    }

    /// The Redis server a `--target` test drove: where, which version, and what the test left in it.
    public struct RedisTargetSummary: Sendable {
        /// The target's URL without credentials.
        public var url: String
        /// `redis_version` from `INFO server`.
        public var redisVersion: String
        public var connections: Int
        public var keyPrefix: String
        /// `used_memory` from `INFO memory` before the test, and after it (before its keys were deleted).
        public var usedMemoryBefore: Int?
        public var usedMemoryAfter: Int?
        /// Keys deleted after the test, and why deleting failed, if it did.
        public var keysDeleted: Int
        public var cleanupError: String?
        /// With `--observe-expiry`: how late the server announced the test's keys expired.
        public var expiry: ExpiryNotifications?

        public init(
            url: String, redisVersion: String, connections: Int, keyPrefix: String, usedMemoryBefore: Int?,
            usedMemoryAfter: Int?, keysDeleted: Int, cleanupError: String?, expiry: ExpiryNotifications? = nil
        ) {
            self.expiry = expiry
            self.url = url
            self.redisVersion = redisVersion
            self.connections = connections
            self.keyPrefix = keyPrefix
            self.usedMemoryBefore = usedMemoryBefore
            self.usedMemoryAfter = usedMemoryAfter
            self.keysDeleted = keysDeleted
            self.cleanupError = cleanupError
        }

        /// What the test's keys added to the server's memory, per simulated client.
        func bytesPerClient(clients: Int) -> Double? {
            guard let before = usedMemoryBefore, let after = usedMemoryAfter, clients > 0 else { return nil }
            return Double(after - before) / Double(clients)
        }
    }

    /// `--observe-expiry`: the server's `expired` events for the test's keys, and the setting it changed.
    public struct ExpiryNotifications: Sendable {
        public var observation: ExpiryObservation
        /// `notify-keyspace-events` during the test, and before it (put back at the end).
        public var flags: String
        public var previousFlags: String
        /// Why putting the previous value back failed, if it did.
        public var restoreError: String?

        public init(observation: ExpiryObservation, flags: String, previousFlags: String, restoreError: String?) {
            self.observation = observation
            self.flags = flags
            self.previousFlags = previousFlags
            self.restoreError = restoreError
        }
    }

    public var scenario: Scenario
    public var mode: Mode
    public var runs: [LoadRun]
    public var cores: Int
    public var peakMemoryBytes: Int
    /// The Redis server the test drove, or nil for the in-process core alone.
    public var target: RedisTargetSummary?

    public init(
        scenario: Scenario, mode: Mode, runs: [LoadRun], cores: Int, peakMemoryBytes: Int,
        target: RedisTargetSummary? = nil
    ) {
        self.scenario = scenario
        self.mode = mode
        self.runs = runs
        self.cores = cores
        self.peakMemoryBytes = peakMemoryBytes
        self.target = target
    }

    /// Failed operations by kind of error, over every run.
    public var errors: [String: Int] {
        runs.reduce(into: [:]) { errors, run in errors.merge(run.outcome.errors, uniquingKeysWith: +) }
    }

    public var complete: Bool { runs.allSatisfy(\.outcome.complete) }

    public var isRamp: Bool {
        if case .ramp = mode { return true }
        return false
    }

    // MARK: JSON

    public var json: JSONValue {
        var mode: [(String, JSONValue)]
        switch self.mode {
        case .fixed(let speed): mode = [("kind", "fixed"), ("speed", JSONValue(speed))]
        case .ramp(let bounds, let step):
            mode = [("kind", "ramp"), ("stepSeconds", JSONValue(step)), ("bounds", bounds.json)]
        }
        var fields: [(String, JSONValue)] = [
            ("schema", JSONValue(Self.schema)),
            ("complete", JSONValue(complete)),
            ("scenario", scenario.resolvedJSON()),
            ("machine", ["cores": JSONValue(cores), "peakMemoryBytes": JSONValue(peakMemoryBytes)]),
            ("mode", JSONValue(object: mode)),
        ]
        if let target { fields.append(("target", json(target))) }
        fields.append(("runs", .array(runs.map(json))))
        return JSONValue(object: fields)
    }

    private func json(_ target: RedisTargetSummary) -> JSONValue {
        func number(_ value: Int?) -> JSONValue { value.map { JSONValue($0) } ?? .null }
        return JSONValue(
            object: [
                ("kind", "redis"),
                ("url", JSONValue(target.url)),
                ("redisVersion", JSONValue(target.redisVersion)),
                ("connections", JSONValue(target.connections)),
                ("keyPrefix", JSONValue(target.keyPrefix)),
                (
                    "usedMemory",
                    JSONValue(object: [
                        ("before", number(target.usedMemoryBefore)), ("after", number(target.usedMemoryAfter)),
                        ("perClient", target.bytesPerClient(clients: scenario.clients).map { JSONValue($0) } ?? .null),
                    ])
                ),
                ("errors", Self.json(errors)),
                ("keysDeleted", JSONValue(target.keysDeleted)),
                ("cleanupError", target.cleanupError.map { JSONValue($0) } ?? .null),
            ] + (target.expiry.map { [("expiryNotifications", Self.json($0))] } ?? []))
    }

    private static func json(_ expiry: ExpiryNotifications) -> JSONValue {
        let lag = expiry.observation.lag
        return JSONValue(object: [
            (
                "lag",
                JSONValue(object: [
                    ("count", JSONValue(lag.count)), ("mean", .number(lag.mean)), ("p50", .number(lag.p50)),
                    ("p90", .number(lag.p90)), ("p99", .number(lag.p99)), ("max", .number(lag.max)),
                ])
            ),
            ("notReceived", JSONValue(expiry.observation.notReceived)),
            ("receivedShare", .number(expiry.observation.receivedShare)),
            ("unmatched", JSONValue(expiry.observation.unmatched)),
            ("notifyKeyspaceEvents", JSONValue(expiry.flags)),
            ("previousNotifyKeyspaceEvents", JSONValue(expiry.previousFlags)),
            ("restoreError", expiry.restoreError.map { JSONValue($0) } ?? .null),
        ])
    }

    private static func json(_ errors: [String: Int]) -> JSONValue {
        JSONValue(object: errors.sorted { $0.key < $1.key }.map { ($0.key, JSONValue($0.value)) })
    }

    private func json(_ run: LoadRun) -> JSONValue {
        let outcome = run.outcome
        var operations: [(String, JSONValue)] = OperationKind.allCases.map { kind in
            (
                kind.name,
                JSONValue(object: [
                    ("offered", JSONValue(outcome.offered[kind.rawValue])),
                    ("achieved", JSONValue(outcome.achieved[kind.rawValue])),
                    ("offeredPerSecond", JSONValue(run.perSecond(outcome.offered[kind.rawValue]))),
                    ("achievedPerSecond", JSONValue(run.perSecond(outcome.achieved[kind.rawValue]))),
                    ("latency", Self.json(outcome.latency[kind.rawValue])),
                ])
            )
        }
        let offered = outcome.offered.reduce(0, +)
        let achieved = outcome.achieved.reduce(0, +)
        operations.append(
            (
                "total",
                JSONValue(object: [
                    ("offered", JSONValue(offered)), ("achieved", JSONValue(achieved)),
                    ("offeredPerSecond", JSONValue(run.perSecond(offered))),
                    ("achievedPerSecond", JSONValue(run.perSecond(achieved))),
                ])
            ))
        var fields: [(String, JSONValue)] = [
            ("shards", JSONValue(outcome.shards)),
            ("drivers", JSONValue(outcome.drivers)),
            ("complete", JSONValue(outcome.complete)),
            ("wallSeconds", JSONValue(outcome.wallSeconds)),
            ("simulatedSeconds", JSONValue(outcome.simulated.seconds)),
            ("events", JSONValue(outcome.events)),
            ("eventsPerSecond", JSONValue(run.perSecond(outcome.events))),
            ("operations", JSONValue(object: operations)),
            ("lag", Self.json(outcome.lag)),
            ("deliveries", JSONValue(outcome.deliveries)),
            ("deliveriesPerSecond", JSONValue(run.perSecond(outcome.deliveries))),
            (
                "core",
                JSONValue(object: [
                    ("inputs", JSONValue(outcome.coreInputs)), ("busySeconds", JSONValue(outcome.coreBusySeconds)),
                    ("busyShare", JSONValue(outcome.coreBusyShare)),
                    ("serviceTime", JSONValue(outcome.coreServiceTime)),
                ])
            ),
            (
                "lapses",
                [
                    "model": JSONValue(outcome.lapses - outcome.testerLapses),
                    "tester": JSONValue(outcome.testerLapses),
                ]
            ),
            ("steps", .array(outcome.steps.map { Self.json($0, shards: outcome.shards) })),
        ]
        if target != nil {
            fields.append(("errors", Self.json(outcome.errors)))
            fields.append(("targetStopReason", outcome.stopReason.map { JSONValue($0) } ?? .null))
        }
        if isRamp {
            let capacity: JSONValue = run.capacity.map { Self.json($0, shards: outcome.shards) } ?? .null
            let reason: JSONValue = run.stopReason.map { JSONValue($0) } ?? .null
            fields.append(("capacity", capacity))
            fields.append(("stopReason", reason))
        }
        return JSONValue(object: fields)
    }

    private static func json(_ step: LoadTest.MeasuredStep, shards: Int) -> JSONValue {
        let seconds = step.wallSeconds
        func rate(_ count: Int) -> JSONValue { JSONValue(seconds > 0 ? Double(count) / seconds : 0) }
        return JSONValue(object: [
            ("index", JSONValue(step.index)),
            ("speed", JSONValue(step.speed)),
            ("wallSeconds", JSONValue(seconds)),
            ("offeredPerSecond", rate(step.offeredTotal)),
            ("achievedPerSecond", rate(step.achievedTotal)),
            ("eventsPerSecond", rate(step.events)),
            ("deliveriesPerSecond", rate(step.deliveries)),
            ("lag", json(step.lag)),
            ("latency", json(step.latency)),
            ("coreBusyShare", JSONValue(step.coreBusyShare(shards: shards))),
            ("coreServiceTime", JSONValue(step.coreServiceTime)),
        ])
    }

    private static func json(_ summary: LatencySummary) -> JSONValue {
        JSONValue(object: [
            ("count", JSONValue(summary.count)), ("mean", JSONValue(summary.mean)), ("p50", JSONValue(summary.p50)),
            ("p99", JSONValue(summary.p99)), ("p999", JSONValue(summary.p999)), ("max", JSONValue(summary.max)),
        ])
    }

    // MARK: Tables

    /// One line saying what ran.
    public var headline: String {
        var parts = [
            scenario.name, scenario.presence.design.rawValue, "\(Format.grouped(scenario.clients)) clients",
            "\(cores) cores",
        ]
        switch mode {
        case .fixed(let speed): parts.append("speed \(Format.number(speed))×")
        case .ramp(_, let step): parts.append("ramp, \(Format.seconds(step)) steps")
        }
        if let target { parts.append("Redis \(target.redisVersion) at \(target.url)") }
        if !complete { parts.append("STOPPED") }
        return parts.joined(separator: " · ")
    }

    public var tables: [ReportTable] {
        var tables: [ReportTable] = []
        if isRamp { tables.append(capacityTable) }
        if let target { tables.append(targetTable(target)) }
        for run in runs {
            tables.append(operationsTable(run))
            tables.append(runTable(run))
            if isRamp { tables.append(stepsTable(run)) }
        }
        return tables
    }

    private var capacityTable: ReportTable {
        var table = ReportTable(
            title: "Capacity: the fastest sustained step per shard count",
            header: ["shards"] + Self.stepHeader + ["stopped because"], rows: [])
        for run in runs {
            let cells =
                run.capacity.map { Self.stepCells($0, shards: run.outcome.shards) }
                ?? ["none sustained", "", "", "", "", ""]
            table.rows.append(["\(run.outcome.shards)"] + cells + [run.stopReason ?? "–"])
        }
        return table
    }

    private static let stepHeader = ["speed", "offered/s", "achieved/s", "lag p99", "latency p99", "core busy"]

    private static func stepCells(_ step: LoadTest.MeasuredStep, shards: Int) -> [String] {
        let seconds = max(step.wallSeconds, 1e-9)
        return [
            Format.number(step.speed) + "×", Format.number(Double(step.offeredTotal) / seconds),
            Format.number(Double(step.achievedTotal) / seconds), Format.wall(step.lag.p99),
            Format.wall(step.latency.p99), Format.percent(step.coreBusyShare(shards: shards)),
        ]
    }

    private func operationsTable(_ run: LoadRun) -> ReportTable {
        let outcome = run.outcome
        var table = ReportTable(
            title: "Operations · \(outcome.shards) shard\(outcome.shards == 1 ? "" : "s")",
            header: ["kind", "offered/s", "achieved/s", "p50", "p99", "p99.9", "max"], rows: [])
        for kind in OperationKind.allCases where outcome.offered[kind.rawValue] + outcome.achieved[kind.rawValue] > 0 {
            let latency = outcome.latency[kind.rawValue]
            table.rows.append([
                kind.name, Format.number(run.perSecond(outcome.offered[kind.rawValue])),
                Format.number(run.perSecond(outcome.achieved[kind.rawValue])), Format.wall(latency.p50),
                Format.wall(latency.p99), Format.wall(latency.p999), Format.wall(latency.max),
            ])
        }
        table.rows.append([
            "all", Format.number(run.perSecond(outcome.offered.reduce(0, +))),
            Format.number(run.perSecond(outcome.achieved.reduce(0, +))), "", "", "", "",
        ])
        return table
    }

    private func runTable(_ run: LoadRun) -> ReportTable {
        let outcome = run.outcome
        let lag = outcome.lag
        return ReportTable(
            title: "Tester · \(outcome.shards) shard\(outcome.shards == 1 ? "" : "s")", header: ["", "value"],
            rows: [
                [
                    "ran",
                    "\(Format.seconds(outcome.wallSeconds)) wall, \(Format.seconds(outcome.simulated.seconds)) simulated"
                        + (outcome.complete ? "" : " (stopped)"),
                ],
                ["events/s", Format.number(run.perSecond(outcome.events))],
                ["deliveries/s", Format.number(run.perSecond(outcome.deliveries))],
                [
                    "core shards",
                    "busy \(Format.percent(outcome.coreBusyShare)) of the time, "
                        + "\(Format.wall(outcome.coreServiceTime)) per input"
                        + (outcome.coreServiceTime > 0
                            ? " (one shard serves at most \(Format.number(1 / outcome.coreServiceTime)) inputs/s)"
                            : ""),
                ],
                [
                    "scheduling lag",
                    "p50 \(Format.wall(lag.p50)) · p99 \(Format.wall(lag.p99)) · p99.9 \(Format.wall(lag.p999)) · max \(Format.wall(lag.max))",
                ],
                [
                    "entries lapsed",
                    "\(Format.grouped(outcome.lapses - outcome.testerLapses)) by the model, "
                        + "\(Format.grouped(outcome.testerLapses)) because the tester fell behind",
                ],
                ["clients / drivers", "\(Format.grouped(scenario.clients)) actors on \(outcome.drivers) driver tasks"],
            ])
    }

    private func targetTable(_ target: RedisTargetSummary) -> ReportTable {
        func bytes(_ value: Int?) -> String { value.map { Format.grouped($0) + " B" } ?? "–" }
        let errors = self.errors
        var rows = [
            ["server", "Redis \(target.redisVersion) at \(target.url), \(target.connections) connections"],
            ["key prefix", target.keyPrefix],
            [
                "used_memory",
                "\(bytes(target.usedMemoryBefore)) before, \(bytes(target.usedMemoryAfter)) after"
                    + (target.bytesPerClient(clients: scenario.clients).map {
                        " (\(Format.number($0)) B per client)"
                    } ?? ""),
            ],
            [
                "failed operations",
                errors.isEmpty
                    ? "none"
                    : errors.sorted { $0.key < $1.key }.map { "\($0.key) × \(Format.grouped($0.value))" }.joined(
                        separator: ", "),
            ],
            ["keys deleted after the test", Format.grouped(target.keysDeleted)],
        ]
        if let error = target.cleanupError { rows.append(["cleanup failed", error]) }
        if let expiry = target.expiry {
            let lag = expiry.observation.lag
            rows.append([
                "expired events (wall-clock lag after the deadline)",
                lag.count == 0
                    ? "none received"
                    : "\(Format.grouped(lag.count)) · p50 \(Format.wall(lag.p50)) · p90 \(Format.wall(lag.p90)) · "
                        + "p99 \(Format.wall(lag.p99)) · max \(Format.wall(lag.max))",
            ])
            rows.append([
                "keys past their deadline without an event",
                "\(Format.grouped(expiry.observation.notReceived)) (\(Format.number(100 * (1 - expiry.observation.receivedShare)))%)",
            ])
            rows.append([
                "notify-keyspace-events",
                "'\(expiry.flags)' during the test, '\(expiry.previousFlags)' "
                    + (expiry.restoreError.map { "NOT put back: \($0)" } ?? "put back after it"),
            ])
        }
        for reason in runs.compactMap(\.outcome.stopReason) { rows.append(["stopped", reason]) }
        return ReportTable(title: "Redis target", header: ["", "value"], rows: rows)
    }

    private func stepsTable(_ run: LoadRun) -> ReportTable {
        var table = ReportTable(
            title: "Ramp steps · \(run.outcome.shards) shard\(run.outcome.shards == 1 ? "" : "s")",
            header: ["step"] + Self.stepHeader + ["verdict"], rows: [])
        guard case .ramp(let bounds, _) = mode else { return table }
        for step in run.outcome.steps {
            let broken = bounds.violations(step)
            let verdict = step.index == 0 ? "warm-up" : broken.isEmpty ? "sustained" : broken.joined(separator: "; ")
            if step.index > 0 && !broken.isEmpty { table.failedRows.insert(table.rows.count) }
            table.rows.append(["\(step.index)"] + Self.stepCells(step, shards: run.outcome.shards) + [verdict])
        }
        return table
    }
}

extension Format {
    /// A wall-clock duration, down to microseconds: "35.2 µs", "1.20 ms", "2.00 s".
    public static func wall(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        if seconds > 0 && seconds < 1e-3 { return fixed(seconds * 1e6, significant: 3) + " µs" }
        return self.seconds(seconds)
    }
}

import Foundation
import PresenceCore
import Scenario
import Simulation

/// A sweep: the same scenario run for every combination of some keys' values.
public struct SweepPlan: Sendable {
    /// The swept keys (those given more than one value) and whether their lists advance together.
    public var sweep: Sweep
    /// Keys given a single value: set on every point, but not part of its label.
    public var fixed: [Override]

    public var parameters: [Sweep.Parameter] { sweep.parameters }
    public var zip: Bool { sweep.zip }

    /// Each point's overrides, in order: the grid with the last parameter varying fastest, or the
    /// zipped lists.
    public var points: [[Override]] { sweep.runs }

    /// The plan from `--set KEY=V1,V2,...` options, or else from the scenario's `sweep` block; a `--set`
    /// with one value fixes that key on every point.
    public init(sets: [String], zip: Bool, scenario: Scenario) throws(SweepError) {
        let given = try sets.map { text throws(SweepError) in try Self.parameter(text) }
        fixed = given.filter { $0.values.count == 1 }.map { Override(path: $0.path, value: $0.values[0]) }
        sweep = Sweep(parameters: given.filter { $0.values.count > 1 }, zip: zip)
        if sweep.parameters.isEmpty, let fileSweep = scenario.sweep {
            // Single-valued --set options only: sweep the file's block with those keys fixed.
            sweep = fileSweep
        }
        guard !parameters.isEmpty else {
            throw SweepError(
                "nothing to sweep: give --set KEY=V1,V2,... with two or more values, or a \"sweep\" block in the scenario"
            )
        }
        if sweep.zip, Set(parameters.map(\.values.count)).count > 1 {
            let counts = parameters.map { "\($0.path) has \($0.values.count)" }.joined(separator: ", ")
            throw SweepError("--zip needs lists of the same length: \(counts)")
        }
    }

    /// Parses `KEY=V1,V2,...`: values are split at commas outside quotes and brackets, and each is JSON
    /// when it parses as JSON (`0.5`, `{"constant": "1s"}`), else a string (`10s`).
    static func parameter(_ text: String) throws(SweepError) -> Sweep.Parameter {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw SweepError("--set \(text): expected KEY=V1,V2,... like protocol.heartbeat=10s,20s,30s")
        }
        let path = String(text[..<equals])
        var values: [JSONValue] = []
        for item in splitTopLevel(String(text[text.index(after: equals)...])) {
            do {
                values.append(try Override.parse(path + "=" + item).value)
            } catch {
                throw SweepError(error.description)
            }
        }
        guard !values.isEmpty else { throw SweepError("--set \(text): no values after '='") }
        return Sweep.Parameter(path: path, values: values)
    }

    private static func splitTopLevel(_ text: String) -> [String] {
        var items: [String] = []
        var current = ""
        var depth = 0
        var inString = false
        var escaped = false
        for character in text {
            if inString {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                }
            } else if character == "\"" {
                inString = true
            } else if character == "[" || character == "{" {
                depth += 1
            } else if character == "]" || character == "}" {
                depth -= 1
            } else if character == "," && depth == 0 {
                items.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        if !current.isEmpty { items.append(current) }
        return items
    }

    /// The plan as sweep.json writes it.
    var json: JSONValue {
        .array(
            parameters.map { parameter in
                ["path": .string(parameter.path), "values": .array(parameter.values)]
            })
    }
}

/// A sweep that cannot run or merge; the message says why.
public struct SweepError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One point of a sweep, with its results.
public struct SweepPoint: Sendable {
    public var index: Int
    public var overrides: [Override]
    public var metrics: MetricValues
    public var fingerprint: String
    public var events: Int
    /// The point's scenario thresholds checked against its run; not part of sweep.json, so empty for a
    /// point read back from one.
    public var thresholds: [ThresholdResult]
    /// The point's replications and their intervals, when it ran more than one.
    public var replications: ReplicationSet?

    public var label: String { SweepSchema.label(params) }

    var params: JSONValue { JSONValue(object: overrides.map { ($0.path, $0.value) }) }

    var json: JSONValue {
        .object(
            [
                (key: "index", value: JSONValue(index)),
                (key: "params", value: params),
                (key: "fingerprint", value: .string(fingerprint)),
                (key: "events", value: JSONValue(events)),
                (key: "staleness", value: metrics.json(section: "staleness")),
                (key: "cost", value: metrics.json(section: "cost")),
                (key: "fanout", value: metrics.json(section: "fanout")),
            ] + (replications.map { [(key: "replications", value: $0.json)] } ?? []))
    }

    init(index: Int, overrides: [Override], report: RunReport) {
        self.index = index
        self.overrides = overrides
        metrics = report.metrics
        fingerprint = report.fingerprint
        events = report.outcome.events
        thresholds = report.thresholds
        replications = report.replications
    }

    /// Reads a point back from sweep.json.
    init(json: JSONValue) {
        index = json["index"]?.doubleValue.flatMap { Int(exactly: $0) } ?? 0
        overrides = (json["params"]?.objectValue ?? []).map { Override(path: $0.key, value: $0.value) }
        metrics = MetricValues(report: json)
        fingerprint = json["fingerprint"]?.stringValue ?? ""
        events = json["events"]?.doubleValue.flatMap { Int(exactly: $0) } ?? 0
        thresholds = []
        replications = ReplicationSet(json: json["replications"])
    }

    /// The 95% interval of `metric` across the point's replications, if it has them.
    public func interval(_ metric: String) -> SampleInterval? { replications?.intervals[metric] }
}

/// A sweep's results: what sweep.json, sweep.md and sweep.html hold.
public struct SweepReport: Sendable {
    public var scenario: JSONValue
    public var scenarioName: String
    public var plan: JSONValue
    public var zip: Bool
    /// The number of points in the whole plan (a shard holds only some of them).
    public var totalPoints: Int
    public var shard: (index: Int, count: Int)?
    public var points: [SweepPoint]
    /// The Pareto chart's axes: cost on x, staleness on y by default.
    public var x: String
    public var y: String

    public static let defaultX = "cost.heartbeatsPerSecond"
    public static let defaultY = "staleness.offlineDetection.p99"

    public var complete: Bool { points.count == totalPoints }

    /// The points no other point beats on both axes (each in its better direction).
    public var paretoFront: [SweepPoint] {
        points.filter { point in
            point.metrics[x] != nil && point.metrics[y] != nil && !points.contains { dominates($0, point) }
        }
    }

    /// Whether `a` is at least as good as `b` on both axes and better on one (by their pooled values).
    private func dominates(_ a: SweepPoint, _ b: SweepPoint) -> Bool {
        func better(_ path: String, _ a: Double, _ b: Double) -> (atLeast: Bool, strictly: Bool) {
            let higher = MetricCatalog.metric(at: path)?.better == .higherIsBetter
            return higher ? (a >= b, a > b) : (a <= b, a < b)
        }
        guard let ax = a.metrics[x], let ay = a.metrics[y], let bx = b.metrics[x], let by = b.metrics[y] else {
            return false
        }
        let onX = better(x, ax, bx)
        let onY = better(y, ay, by)
        return onX.atLeast && onY.atLeast && (onX.strictly || onY.strictly)
    }

    /// Dominated points that replications cannot tell apart from a point dominating them: on both axes
    /// their 95% intervals overlap, so with other seeds the order could turn. Maps the point's index to
    /// the dominating point's (the first such, in point order). Empty without replications.
    public var notDistinguishable: [Int: Int] {
        let front = Set(paretoFront.map(\.index))
        var result: [Int: Int] = [:]
        for point in points where !front.contains(point.index) {
            guard let px = point.interval(x), let py = point.interval(y) else { continue }
            let match = points.first { other in
                guard dominates(other, point), let ox = other.interval(x), let oy = other.interval(y) else {
                    return false
                }
                return px.overlaps(ox) && py.overlaps(oy)
            }
            if let match { result[point.index] = match.index }
        }
        return result
    }

    /// Whether any point carries replications (and so intervals).
    public var hasReplications: Bool { points.contains { $0.replications != nil } }

    public var json: JSONValue {
        var fields: [(key: String, value: JSONValue)] = [
            (key: "schema", value: .string(SweepSchema.name)),
            (key: "complete", value: .bool(complete)),
            (key: "scenario", value: scenario),
            (key: "parameters", value: plan),
            (key: "zip", value: .bool(zip)),
            (key: "totalPoints", value: JSONValue(totalPoints)),
        ]
        if let shard {
            fields.append((key: "shard", value: ["index": JSONValue(shard.index), "count": JSONValue(shard.count)]))
        }
        var pareto: [(String, JSONValue)] = [
            ("x", .string(x)), ("y", .string(y)), ("front", .array(paretoFront.map { JSONValue($0.index) })),
        ]
        if hasReplications {
            let marks = notDistinguishable.sorted { $0.key < $1.key }
            pareto.append(
                (
                    "notDistinguishable",
                    .array(marks.map { ["point": JSONValue($0.key), "dominatedBy": JSONValue($0.value)] })
                ))
        }
        fields.append((key: "pareto", value: JSONValue(object: pareto)))
        fields.append((key: "points", value: .array(points.map(\.json))))
        return .object(fields)
    }

    /// The metrics the table shows, after the two Pareto axes.
    static let tableMetrics = [
        "staleness.offlineDetection.p50", "staleness.offlineDetection.p99", "staleness.falseOffline.perClientHour",
        "staleness.queryAccuracy", "cost.heartbeatsPerSecond", "cost.requestsPerSecond", "cost.bytesUpPerSecond",
        "fanout.deliveriesPerSecond", "fanout.peakDeliveriesPerSecond",
    ]

    private var columns: [String] {
        var columns = [x, y]
        for metric in Self.tableMetrics where !columns.contains(metric) { columns.append(metric) }
        return columns
    }

    /// All points as a table, Pareto-optimal ones marked, and dominated ones that replications cannot
    /// tell apart from a dominating point marked "not distinguishable from #i".
    public var table: ReportTable {
        let front = Set(paretoFront.map(\.index))
        let unclear = notDistinguishable
        let parameterNames = points.first?.overrides.map(\.path) ?? []
        var table = ReportTable(
            title: "Sweep of \(scenarioName): \(points.count) of \(totalPoints) points",
            header: ["", "#"] + parameterNames + columns, rows: [])
        for point in points {
            let mark =
                front.contains(point.index)
                ? "Pareto" : unclear[point.index].map { "not distinguishable from #\($0)" } ?? ""
            table.rows.append(
                [mark, "\(point.index)"] + point.overrides.map { SweepSchema.valueText($0.value) }
                    + columns.map { path in
                        point.metrics[path].map { Format.metric(path, $0, interval: point.interval(path)) } ?? "–"
                    })
        }
        return table
    }

    /// "The Pareto-optimal settings: ..." for the terminal.
    public var paretoSummary: String {
        let front = paretoFront
        guard !front.isEmpty else { return "No point has both \(x) and \(y)." }
        func name(_ point: SweepPoint) -> String { point.label.isEmpty ? "#\(point.index)" : point.label }
        var summary = "Pareto-optimal (\(y) against \(x)): " + front.map(name).joined(separator: "; ")
        let unclear = notDistinguishable
        if !unclear.isEmpty {
            summary +=
                ". Not distinguishable at 95 % from a point that dominates them: "
                + points.filter { unclear[$0.index] != nil }.map { "\(name($0)) (#\(unclear[$0.index]!))" }
                .joined(separator: "; ")
        }
        return summary
    }
}

/// Runs sweeps: every point of the plan (or of one shard) on the events engine, in parallel.
public enum SweepRunner {
    /// Loads every point's scenario first, so a bad value stops the sweep before anything runs.
    ///
    /// - Parameters:
    ///   - shard: run only the points whose index is `index` modulo `count`.
    ///   - jobs: runs at once (each replication of each point is one run); results do not depend on it.
    ///   - progress: called with (runs finished, runs in all).
    ///   - shouldStop: polled by every running point; once it returns true, running points stop, no new
    ///     run starts, and the sweep holds only the points whose every replication finished (it is then
    ///     not `complete`).
    public static func run(
        file: String, baseOverrides: [Override], plan: SweepPlan, shard: (index: Int, count: Int)?, jobs: Int,
        engine: EngineKind, x: String, y: String, progress: (@Sendable (Int, Int) -> Void)? = nil,
        shouldStop: (@Sendable () -> Bool)? = nil
    ) throws(ScenarioErrors) -> SweepReport {
        let baseOverrides = baseOverrides + plan.fixed
        let base = try ScenarioLoader.load(path: file, overrides: baseOverrides)
        let all = plan.points
        let selected = all.indices.filter { shard == nil || $0 % shard!.count == shard!.index }
        var scenarios: [(index: Int, overrides: [Override], scenario: Scenario)] = []
        var errors: [ScenarioError] = []
        for index in selected {
            do {
                scenarios.append(
                    (index, all[index], try ScenarioLoader.load(path: file, overrides: baseOverrides + all[index])))
            } catch {
                errors += error.errors
            }
        }
        if !errors.isEmpty { throw ScenarioErrors(errors) }
        // Every replication of every point is one run in a single work queue, so that --jobs keeps every
        // core busy whether a sweep has many points or a few points with many replications.
        var runs: [Scenario] = []
        for item in scenarios {
            runs += (0..<item.scenario.replications).map(item.scenario.replication)
        }
        let outcomes = ParallelRuns.run(runs, engine: engine, jobs: jobs, progress: progress, shouldStop: shouldStop)
        var points: [SweepPoint] = []
        var cursor = 0
        for item in scenarios {
            let replications = Array(outcomes[cursor..<cursor + item.scenario.replications])
            cursor += item.scenario.replications
            guard replications.allSatisfy({ $0?.complete == true }) else { continue }
            let report = RunReport(
                scenario: item.scenario, replications: replications, wallSeconds: 0, peakMemoryBytes: 0)
            points.append(SweepPoint(index: item.index, overrides: item.overrides, report: report))
        }
        return SweepReport(
            scenario: base.resolvedJSON(), scenarioName: base.name, plan: plan.json, zip: plan.zip,
            totalPoints: all.count, shard: shard, points: points, x: x, y: y)
    }

    /// Joins shard outputs into one sweep; they must be shards of the same plan on the same scenario.
    public static func merge(_ documents: [(file: String, json: JSONValue)], x: String?, y: String?) throws(SweepError)
        -> SweepReport
    {
        guard let first = documents.first else { throw SweepError("give at least one sweep folder to merge") }
        var points: [Int: SweepPoint] = [:]
        for (file, json) in documents {
            guard json["schema"]?.stringValue == SweepSchema.name else {
                throw SweepError("\(file) is not a sweep (schema \(SweepSchema.name))")
            }
            guard json["scenario"] == first.json["scenario"], json["parameters"] == first.json["parameters"],
                json["zip"] == first.json["zip"]
            else {
                throw SweepError("\(file) is a sweep of another scenario or plan than \(first.file)")
            }
            for point in json["points"]?.arrayValue ?? [] {
                let parsed = SweepPoint(json: point)
                if points[parsed.index] != nil { throw SweepError("\(file) repeats point #\(parsed.index)") }
                points[parsed.index] = parsed
            }
        }
        let scenario = first.json["scenario"] ?? .null
        return SweepReport(
            scenario: scenario, scenarioName: scenario["name"]?.stringValue ?? "?",
            plan: first.json["parameters"] ?? .null,
            zip: first.json["zip"]?.boolValue ?? false,
            totalPoints: first.json["totalPoints"]?.doubleValue.flatMap { Int(exactly: $0) } ?? 0,
            shard: nil, points: points.keys.sorted().map { points[$0]! },
            x: x ?? first.json["pareto"]?["x"]?.stringValue ?? SweepReport.defaultX,
            y: y ?? first.json["pareto"]?["y"]?.stringValue ?? SweepReport.defaultY)
    }
}

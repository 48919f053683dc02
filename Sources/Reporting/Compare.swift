import Foundation
import Scenario

/// Compares two reports metric by metric: what `presence-sim compare` and the regression suite do.
///
/// Each metric knows which direction is worse (``MetricCatalog/Direction``). A change beyond the
/// tolerance, relative to the baseline, is a regression or an improvement; anything within it is
/// unchanged. Runs are deterministic, so with a zero tolerance any change in a simulated figure shows.
///
/// When both reports carry replications, each metric's difference is also tested with Welch's t-test
/// across the replications: a change beyond the tolerance that is not significant at 95% is "within
/// noise", never a regression or an improvement.
public struct ReportComparison: Sendable {
    public enum Verdict: String, Sendable {
        case unchanged, withinTolerance = "within tolerance", improved, regressed
        /// A metric without a better direction (a sample count) moved beyond the tolerance.
        case changed
        /// Beyond the tolerance, but not significant at 95% across the replications.
        case withinNoise = "within noise"
    }

    public struct Row: Sendable {
        /// The sweep point's parameters ("protocol.heartbeat=10s"), empty for a run report.
        public var point: String
        public var metric: String
        public var baseline: Double
        public var current: Double
        public var verdict: Verdict
        /// Welch's test of the replications' means, when both reports carry replications.
        public var welch: WelchTest?
    }

    public var baselineFile: String
    public var currentFile: String
    public var tolerance: Double
    public var rows: [Row]

    public var regressions: [Row] { rows.filter { $0.verdict == .regressed } }
    public var improvements: [Row] { rows.filter { $0.verdict == .improved } }

    /// The exit code, as package-benchmark has it: 0 nothing changed beyond tolerance, 2 something
    /// regressed, 4 there were only improvements.
    public var exitCode: Int32 { !regressions.isEmpty ? 2 : (!improvements.isEmpty ? 4 : 0) }

    /// Compares two report documents (run reports, or sweeps point by point).
    ///
    /// - Parameters:
    ///   - metrics: the metric paths to compare; empty compares every catalog metric both carry, the cohorts'
    ///     included.
    ///   - allowIncomplete: accept reports of runs that were stopped before their end.
    public init(
        baseline: JSONValue, file baselineFile: String, current: JSONValue, file currentFile: String,
        tolerance: Double, metrics: [String] = [], allowIncomplete: Bool = false
    ) throws(CompareError) {
        self.baselineFile = baselineFile
        self.currentFile = currentFile
        self.tolerance = tolerance
        let base = try ReportDocument(baseline, file: baselineFile, allowIncomplete: allowIncomplete)
        let now = try ReportDocument(current, file: currentFile, allowIncomplete: allowIncomplete)
        guard base.schema == now.schema else {
            throw CompareError(
                "\(baselineFile) is a \(base.schema) document and \(currentFile) a \(now.schema); compare two run reports or two sweeps"
            )
        }
        guard base.scenario == now.scenario else {
            throw CompareError(
                "\(baselineFile) is a report of scenario '\(base.scenario)' and \(currentFile) of '\(now.scenario)'; compare reports of the same scenario"
            )
        }
        for path in metrics where MetricCatalog.metric(at: path) == nil {
            let hint = MetricCatalog.suggestion(for: path).map { "; did you mean '\($0)'?" } ?? ""
            throw CompareError("unknown metric '\(path)'\(hint) (`presence-sim metrics` lists them)")
        }
        var selected = metrics.isEmpty ? MetricCatalog.all : metrics.compactMap(MetricCatalog.metric(at:))
        if metrics.isEmpty, let first = base.points.first {
            // Every cohort metric the reports carry, after the run's, by cohort in name order.
            selected += first.values.values.keys.filter { MetricCatalog.cohortPath($0) != nil }.sorted()
                .compactMap(MetricCatalog.metric(at:))
        }
        var rows: [Row] = []
        for (point, baseValues, baseReplications) in base.points {
            guard let match = now.points.first(where: { $0.params == point }) else {
                throw CompareError("\(currentFile) has no sweep point \(point) that \(baselineFile) has")
            }
            for metric in selected {
                guard let old = baseValues[metric.path], let new = match.values[metric.path] else { continue }
                var row = Row(
                    point: point, metric: metric.path, baseline: old, current: new,
                    verdict: Self.verdict(old, new, better: metric.better, tolerance: tolerance))
                if let before = baseReplications?.intervals[metric.path],
                    let after = match.replications?.intervals[metric.path]
                {
                    let test = WelchTest(before, after)
                    row.welch = test
                    if [.improved, .regressed, .changed].contains(row.verdict) && !test.significant() {
                        row.verdict = .withinNoise
                    }
                }
                rows.append(row)
            }
        }
        if let extra = now.points.first(where: { point in !base.points.contains { $0.params == point.params } }) {
            throw CompareError("\(currentFile) has a sweep point \(extra.params) that \(baselineFile) lacks")
        }
        self.rows = rows
    }

    static func verdict(_ old: Double, _ new: Double, better: MetricCatalog.Direction, tolerance: Double) -> Verdict {
        if old == new || (old.isNaN && new.isNaN) { return .unchanged }
        let relative = old == 0 ? Double.infinity : abs(new - old) / abs(old)
        if relative <= tolerance { return .withinTolerance }
        switch better {
        case .lowerIsBetter: return new > old ? .regressed : .improved
        case .higherIsBetter: return new < old ? .regressed : .improved
        case .neither: return .changed
        }
    }
}

/// A comparison that cannot be made: the message names the files and what is wrong with them.
public struct CompareError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The parts of a run report or sweep that comparing needs.
private struct ReportDocument {
    var schema: String
    var scenario: String
    /// (parameters, metric values, replications) per point; a run report is one point without parameters.
    var points: [(params: String, values: MetricValues, replications: ReplicationSet?)]

    init(_ document: JSONValue, file: String, allowIncomplete: Bool) throws(CompareError) {
        guard let schema = document["schema"]?.stringValue else {
            throw CompareError("\(file) is not a presence-sim report: it has no \"schema\"")
        }
        guard schema == RunReport.schema || schema == SweepSchema.name else {
            throw CompareError(
                "\(file) has schema '\(schema)'; expected \(RunReport.schema) or \(SweepSchema.name)")
        }
        if document["complete"]?.boolValue == false && !allowIncomplete {
            throw CompareError(
                "\(file) is the report of a run that was stopped before its end; pass --allow-incomplete to compare it anyway"
            )
        }
        self.schema = schema
        scenario = document["scenario"]?["name"]?.stringValue ?? "?"
        if schema == RunReport.schema {
            points = [("", MetricValues(report: document), ReplicationSet(json: document["replications"]))]
        } else {
            points = (document["points"]?.arrayValue ?? []).map { point in
                (
                    SweepSchema.label(point["params"]), MetricValues(report: point),
                    ReplicationSet(json: point["replications"])
                )
            }
        }
    }
}

/// The sweep document's schema name and point labels.
public enum SweepSchema {
    public static let name = "presence-sim/sweep@1"

    /// "protocol.heartbeat=10s protocol.ttl=30s" from a point's `params` object.
    public static func label(_ params: JSONValue?) -> String {
        (params?.objectValue ?? []).map { "\($0.key)=\(valueText($0.value))" }.joined(separator: " ")
    }

    static func valueText(_ value: JSONValue) -> String {
        if let text = value.stringValue { return text }
        return value.serialized(.compact)
    }
}

extension ReportComparison {
    /// The comparison as a table: regressions first, then improvements, then the rest.
    public var table: ReportTable {
        let ordered = regressions + improvements + rows.filter { $0.verdict != .regressed && $0.verdict != .improved }
        let showPoints = rows.contains { !$0.point.isEmpty }
        let showWelch = rows.contains { $0.welch != nil }
        var table = ReportTable(
            title: "\(baselineFile) → \(currentFile) (tolerance \(Format.percent(tolerance)))",
            header: (showPoints ? ["point"] : []) + ["metric", "baseline", "current", "change"]
                + (showWelch ? ["95% (Welch)"] : []) + ["verdict"], rows: [])
        for (index, row) in ordered.enumerated() {
            table.rows.append(
                (showPoints ? [row.point] : []) + [
                    row.metric, Format.metric(row.metric, row.baseline), Format.metric(row.metric, row.current),
                    Format.change(from: row.baseline, to: row.current),
                ] + (showWelch ? [row.welch.map(Self.describe) ?? "–"] : []) + [row.verdict.rawValue])
            if row.verdict == .regressed { table.failedRows.insert(index) }
        }
        return table
    }

    /// "significant (p = 0.003)", "not significant (p = 0.41)".
    static func describe(_ test: WelchTest) -> String {
        let p = test.p < 0.001 ? "p < 0.001" : String(format: "p = %.2g", test.p)
        return (test.significant() ? "significant" : "not significant") + " (\(p))"
    }

    public var summary: String {
        func count(_ verdict: Verdict) -> Int { rows.filter { $0.verdict == verdict }.count }
        let noise =
            rows.contains { $0.welch != nil }
            ? ", \(count(.withinNoise)) changed within the replications' noise (Welch, 95 %)" : ""
        return "\(rows.count) metrics compared: \(count(.regressed)) regressed, \(count(.improved)) improved, "
            + "\(count(.changed)) sample counts changed, \(count(.withinTolerance)) changed within tolerance\(noise), "
            + "\(count(.unchanged)) unchanged"
    }

    public var json: JSONValue {
        [
            "baseline": .string(baselineFile),
            "current": .string(currentFile),
            "tolerance": .number(tolerance),
            "regressions": JSONValue(regressions.count),
            "improvements": JSONValue(improvements.count),
            "metrics": .array(
                rows.map { row in
                    var fields: [(String, JSONValue)] = []
                    if !row.point.isEmpty { fields.append(("point", .string(row.point))) }
                    fields += [
                        ("metric", .string(row.metric)), ("baseline", .number(row.baseline)),
                        ("current", .number(row.current)), ("verdict", .string(row.verdict.rawValue)),
                    ]
                    if let test = row.welch {
                        fields.append(
                            (
                                "welch",
                                [
                                    "t": .number(test.t), "df": .number(test.df), "p": .number(test.p),
                                    "significant": .bool(test.significant()),
                                ]
                            ))
                    }
                    return JSONValue(object: fields)
                }),
        ]
    }
}

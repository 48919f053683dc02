import Scenario

/// JUnit XML, the test-report format that CI systems show natively (GitLab's test report, Jenkins, the
/// JUnit report actions of GitHub): what `--junit FILE` writes.
///
/// A command writes one `testsuite` inside a `testsuites` root: `run` one test case per threshold, `sweep`
/// one per threshold of each point, `compare` one per compared metric, `bench` one per baseline. Every
/// breach is a `failure` whose message and text give the measured value, the limit and the metric's unit.
/// The document MUST be deterministic like the reports, so it carries no timestamps, host names or times.
public enum JUnit {
    public struct Failure: Sendable, Equatable {
        /// What kind of check failed: `threshold`, `regression` or `changed`.
        public var type: String
        /// One line: the metric, the measured value, the limit and the unit.
        public var message: String
        /// The same as `key: value` lines, for a reader (or a script) that wants the raw numbers.
        public var details: String
    }

    public struct TestCase: Sendable, Equatable {
        public var className: String
        public var name: String
        public var failure: Failure?
        /// A note shown with a passing case (`bench --update`: whether the baseline was rewritten).
        public var output: String?
    }

    public struct Suite: Sendable {
        /// The command, e.g. "presence-sim run family-chat".
        public var name: String
        public var properties: [(name: String, value: String)]
        public var cases: [TestCase]

        public var failures: Int { cases.filter { $0.failure != nil }.count }

        /// The XML document, UTF-8, ending in a newline.
        public var xml: String {
            let counts = "tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\""
            var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            xml += "<testsuites name=\"\(JUnit.attribute(name))\" \(counts)>\n"
            xml += "  <testsuite name=\"\(JUnit.attribute(name))\" \(counts) skipped=\"0\">\n"
            if !properties.isEmpty {
                xml += "    <properties>\n"
                for property in properties {
                    xml +=
                        "      <property name=\"\(JUnit.attribute(property.name))\" "
                        + "value=\"\(JUnit.attribute(property.value))\"/>\n"
                }
                xml += "    </properties>\n"
            }
            for testCase in cases {
                xml +=
                    "    <testcase classname=\"\(JUnit.attribute(testCase.className))\" "
                    + "name=\"\(JUnit.attribute(testCase.name))\""
                guard testCase.failure != nil || testCase.output != nil else {
                    xml += "/>\n"
                    continue
                }
                xml += ">\n"
                if let failure = testCase.failure {
                    xml +=
                        "      <failure type=\"\(JUnit.attribute(failure.type))\" "
                        + "message=\"\(JUnit.attribute(failure.message))\">\(JUnit.text(failure.details))</failure>\n"
                }
                if let output = testCase.output { xml += "      <system-out>\(JUnit.text(output))</system-out>\n" }
                xml += "    </testcase>\n"
            }
            xml += "  </testsuite>\n</testsuites>\n"
            return xml
        }
    }

    // MARK: - Escaping

    /// Text content: `&`, `<` and `>` escaped (so `]]>` cannot appear), characters XML 1.0 cannot carry
    /// replaced by U+FFFD.
    static func text(_ value: String) -> String { escape(value, inAttribute: false) }

    /// An attribute value in double quotes: also `"` and `'`, and tabs and line breaks as character
    /// references, since a parser would otherwise normalise them to spaces.
    static func attribute(_ value: String) -> String { escape(value, inAttribute: true) }

    private static func escape(_ value: String, inAttribute: Bool) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"" where inAttribute: result += "&quot;"
            case "'" where inAttribute: result += "&apos;"
            case "\t" where inAttribute: result += "&#9;"
            case "\n" where inAttribute: result += "&#10;"
            case "\r": result += "&#13;"
            case "\t", "\n": result.unicodeScalars.append(scalar)
            default:
                // XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
                let allowed = scalar.value >= 0x20 && scalar.value != 0xFFFE && scalar.value != 0xFFFF
                result.unicodeScalars.append(allowed ? scalar : "\u{FFFD}")
            }
        }
        return result
    }

    // MARK: - Values

    /// A raw value as report.json writes it, or "no value" for a metric without samples.
    static func raw(_ value: Double) -> String {
        value.isFinite ? JSONValue.number(value).serialized(.compact) : "no value"
    }

    static func unit(of metric: String) -> String { MetricCatalog.metric(at: metric)?.unit.rawValue ?? "" }

    /// The failure of a threshold that did not hold, or nil.
    static func failure(of result: ThresholdResult) -> Failure? {
        guard !result.passed else { return nil }
        let metric = result.threshold.metric
        let unit = unit(of: metric)
        let comparison = result.threshold.comparison.rawValue
        return Failure(
            type: "threshold",
            message:
                "\(metric) is \(Format.metric(metric, result.value)); the limit is \(comparison) "
                + "\(Format.metric(metric, result.threshold.value)) (unit: \(unit))",
            details: """
                metric: \(metric)
                measured: \(raw(result.value)) \(unit)
                limit: \(comparison) \(raw(result.threshold.value)) \(unit)
                condition: \(result.threshold.text)

                """)
    }
}

// MARK: - The commands' suites

extension JUnit.Suite {
    /// `run`: one case per threshold of the scenario, in file order.
    public init(run report: RunReport) {
        name = "presence-sim run \(report.scenario.name)"
        properties = [
            ("scenario", report.scenario.name), ("seed", String(report.scenario.seed)),
            ("fingerprint", report.fingerprint), ("complete", String(report.outcome.complete)),
        ]
        cases = report.thresholds.map { result in
            JUnit.TestCase(
                className: report.scenario.name, name: "\(result.threshold.metric) \(result.threshold.text)",
                failure: JUnit.failure(of: result))
        }
    }

    /// `sweep`: one case per threshold of each point, points in plan order.
    public init(sweep: SweepReport) {
        name = "presence-sim sweep \(sweep.scenarioName)"
        properties = [
            ("scenario", sweep.scenarioName), ("points", String(sweep.points.count)),
            ("totalPoints", String(sweep.totalPoints)), ("complete", String(sweep.complete)),
        ]
        cases = sweep.points.flatMap { point in
            point.thresholds.map { result in
                JUnit.TestCase(
                    className: sweep.scenarioName,
                    name: "[\(point.label)] \(result.threshold.metric) \(result.threshold.text)",
                    failure: JUnit.failure(of: result))
            }
        }
    }

    /// `compare`: one case per compared metric (and sweep point); a regression beyond the tolerance fails.
    public init(comparison: ReportComparison) {
        name = "presence-sim compare"
        properties = [
            ("baseline", comparison.baselineFile), ("current", comparison.currentFile),
            ("tolerance", JUnit.raw(comparison.tolerance)),
        ]
        let className = "\(comparison.baselineFile) → \(comparison.currentFile)"
        cases = comparison.rows.map { row in
            var failure: JUnit.Failure? = nil
            if row.verdict == .regressed {
                let unit = JUnit.unit(of: row.metric)
                let higherIsWorse = MetricCatalog.metric(at: row.metric)?.better != .higherIsBetter
                let allowance = abs(row.baseline) * comparison.tolerance
                let limit = higherIsWorse ? row.baseline + allowance : row.baseline - allowance
                let bound = higherIsWorse ? "<=" : ">="
                failure = JUnit.Failure(
                    type: "regression",
                    message:
                        "\(row.metric) regressed to \(Format.metric(row.metric, row.current)) from "
                        + "\(Format.metric(row.metric, row.baseline)); the limit is \(bound) "
                        + "\(Format.metric(row.metric, limit)) (tolerance \(Format.percent(comparison.tolerance)); "
                        + "unit: \(unit))",
                    details: """
                        metric: \(row.metric)
                        measured: \(JUnit.raw(row.current)) \(unit)
                        baseline: \(JUnit.raw(row.baseline)) \(unit)
                        limit: \(bound) \(JUnit.raw(limit)) \(unit)
                        change: \(Format.change(from: row.baseline, to: row.current))

                        """)
            }
            return JUnit.TestCase(
                className: className, name: row.point.isEmpty ? row.metric : "[\(row.point)] \(row.metric)",
                failure: failure)
        }
    }

    /// `bench`: one case per baseline; any change in a simulated figure fails, so the limit of every
    /// metric is its baseline value.
    public init(bench results: [RegressionSuite.Result], updated: Bool) {
        name = "presence-sim bench"
        properties = []
        cases = results.map { result in
            let file = result.baseline.split(separator: "/").last.map(String.init) ?? result.baseline
            guard !result.reproduced else {
                return JUnit.TestCase(
                    className: "bench", name: file, output: "fingerprint \(result.baselineFingerprint)")
            }
            if updated {
                return JUnit.TestCase(
                    className: "bench", name: file,
                    output: "updated: fingerprint \(result.baselineFingerprint) → \(result.report.fingerprint)")
            }
            let changed = result.comparison.rows.filter { $0.verdict != .unchanged }
            var details = "fingerprint: \(result.baselineFingerprint) → \(result.report.fingerprint)\n"
            if changed.isEmpty { details += "the metrics agree; the timeline or distributions differ\n" }
            for row in changed {
                let unit = JUnit.unit(of: row.metric)
                details +=
                    "\(row.metric): measured \(JUnit.raw(row.current)) \(unit), limit == \(JUnit.raw(row.baseline)) "
                    + "\(unit) (the baseline)\n"
            }
            let first = changed.first.map { row in
                "; \(row.metric) is \(Format.metric(row.metric, row.current)), the limit is the baseline's "
                    + "\(Format.metric(row.metric, row.baseline)) (unit: \(JUnit.unit(of: row.metric)))"
                    + (changed.count > 1 ? " and \(changed.count - 1) more" : "")
            }
            return JUnit.TestCase(
                className: "bench", name: file,
                failure: JUnit.Failure(
                    type: "changed",
                    message:
                        "\(file) changed: fingerprint \(result.baselineFingerprint) → \(result.report.fingerprint)"
                        + (first ?? "; the metrics agree, the timeline or distributions differ"),
                    details: details))
        }
    }
}

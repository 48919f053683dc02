import Foundation
import Scenario
import Simulation

/// The scenario regression check: committed baseline reports are re-run and must come out identical.
///
/// A baseline is a run report (`Reports/baselines/*.json`); its resolved scenario says exactly what to
/// run. Runs are deterministic, so any difference — in a metric, the timeline or a distribution — is a
/// change in the simulator, and a change that moves the figures must update its baselines in the same
/// commit (`presence-sim bench --update`), with the difference explained.
public enum RegressionSuite {
    public static let defaultDirectory = "Reports/baselines"

    public struct Result: Sendable {
        public var baseline: String
        public var comparison: ReportComparison
        public var baselineFingerprint: String
        public var report: RunReport

        /// Whether the re-run reproduced the baseline exactly.
        public var reproduced: Bool { report.fingerprint == baselineFingerprint }
    }

    /// The baseline files in `directory`, by name.
    public static func baselines(in directory: String) throws(CompareError) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw CompareError("\(directory): no such folder of baseline reports")
        }
        return names.filter { $0.hasSuffix(".json") }.sorted().map { directory + "/" + $0 }
    }

    /// Re-runs the scenario of the baseline report at `path` on the events engine and compares.
    public static func check(_ path: String) throws(CompareError) -> Result {
        let document = try read(path)
        guard let scenarioJSON = document["scenario"] else {
            throw CompareError("\(path) has no \"scenario\" to re-run")
        }
        let scenario: Scenario
        do {
            var bytes: [UInt8] = []
            scenarioJSON.write(to: &bytes)
            scenario = try ScenarioLoader.load(bytes: bytes, file: path + " (scenario)")
        } catch {
            throw CompareError(error.description)
        }
        let runs = ParallelRuns.run(
            (0..<scenario.replications).map(scenario.replication), engine: .events,
            jobs: ProcessInfo.processInfo.activeProcessorCount)
        let report = RunReport(scenario: scenario, replications: runs, wallSeconds: 0, peakMemoryBytes: 0)
        let comparison = try ReportComparison(
            baseline: document, file: path, current: report.json, file: "this build", tolerance: 0)
        return Result(
            baseline: path, comparison: comparison,
            baselineFingerprint: document["run"]?["fingerprint"]?.stringValue ?? "", report: report)
    }

    /// Larger files are refused unread: a report is tens of kilobytes, a sweep of 1,000 points a few megabytes.
    public static let maximumReportSize = 256 << 20

    /// Reads a report file.
    public static func read(_ path: String) throws(CompareError) -> JSONValue {
        guard FileManager.default.fileExists(atPath: path) else { throw CompareError("\(path): no such file") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
            size.intValue > maximumReportSize
        {
            throw CompareError(
                "\(path): the file is \(size.intValue >> 20) MB; a report or sweep is at most "
                    + "\(maximumReportSize >> 20) MB")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CompareError("\(path): cannot read the file (is it a folder, or unreadable?)")
        }
        do {
            return try JSONValue.parse(Array(data))
        } catch {
            throw CompareError("\(path):\(error)")
        }
    }
}

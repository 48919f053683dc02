import ArgumentParser
import Foundation
import Reporting
import Scenario

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare two run reports (or two sweeps, point by point) metric by metric.",
        discussion: """
            Prints each metric that changed with its baseline, current value, change and verdict. Which \
            direction is worse is known per metric: higher staleness is worse, higher accuracy is better.

            When both reports carry replications (run --replications N), each difference is also tested \
            with Welch's t-test across the replications; a change beyond the tolerance that is not \
            significant at 95% is "within noise", never a regression or an improvement.

            Examples:
              presence-sim compare Reports/baselines/family-chat.json Reports/family-chat/report.json
              presence-sim compare old.json new.json --tolerance 2% --metric staleness.offlineDetection.p99
              presence-sim compare old.json new.json --format md > comment.md
              presence-sim compare old.json new.json --junit reports/compare.xml   # one test case per metric

            Exit codes: 0 nothing regressed beyond the tolerance · 2 something regressed · 4 only \
            improvements · 64 bad input (unreadable files, reports of different scenarios, unknown metrics).
            """
    )

    @Argument(help: "The baseline report.json or sweep.json.")
    var baseline: String

    @Argument(help: "The current report.json or sweep.json.")
    var current: String

    @Option(help: "How much worse (relative to the baseline) a metric may get before it counts as a regression.")
    var tolerance: String = "5%"

    @Option(
        name: .customLong("metric"), help: "Compare only this metric path (repeatable; see `presence-sim metrics`).")
    var metrics: [String] = []

    @Option(help: "text, md (for a pull-request comment) or json.")
    var format: CompareFormat = .text

    @Flag(help: "List unchanged metrics too.")
    var all = false

    @Flag(help: "Accept reports of runs that were stopped before their end.")
    var allowIncomplete = false

    @OptionGroup var junit: JUnitOption

    func run() throws {
        guard let share = Self.share(tolerance) else {
            throw ValidationError(
                "--tolerance: expected a percentage like 5% or a share like 0.05, found '\(tolerance)'")
        }
        let comparison: ReportComparison
        switch Result(catching: { () throws(CompareError) in try compare(tolerance: share) }) {
        case .success(let result):
            comparison = result
        case .failure(let error):
            printError("error: \(error.description)")
            throw ExitCode(64)
        }
        try junit.write(JUnit.Suite(comparison: comparison))
        var table = comparison.table
        if !all {
            let kept = table.rows.indices.filter { table.rows[$0].last != "unchanged" }
            table.failedRows = Set(kept.enumerated().filter { table.failedRows.contains($0.element) }.map(\.offset))
            table.rows = kept.map { table.rows[$0] }
        }
        switch format {
        case .text:
            let colour = isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            if !table.rows.isEmpty { print(TextRenderer(colour: colour).render(table)) }
            print(comparison.summary)
        case .md:
            print(MarkdownRenderer.render(table))
            print(comparison.summary)
        case .json:
            print(comparison.json.serialized())
        }
        if comparison.exitCode != 0 { throw ExitCode(comparison.exitCode) }
    }

    private func compare(tolerance: Double) throws(CompareError) -> ReportComparison {
        try ReportComparison(
            baseline: RegressionSuite.read(baseline), file: baseline, current: RegressionSuite.read(current),
            file: current, tolerance: tolerance, metrics: metrics, allowIncomplete: allowIncomplete)
    }

    /// "5%" → 0.05, "0.05" → 0.05.
    static func share(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") { return Double(trimmed.dropLast()).flatMap { $0 >= 0 ? $0 / 100 : nil } }
        return Double(trimmed).flatMap { $0 >= 0 ? $0 : nil }
    }
}

enum CompareFormat: String, ExpressibleByArgument, CaseIterable {
    case text, md, json
}

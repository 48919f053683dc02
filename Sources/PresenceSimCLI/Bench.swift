import ArgumentParser
import Foundation
import Reporting
import Scenario

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-run the committed baseline reports and fail on any change in a simulated figure.",
        discussion: """
            Each *.json in the folder is a run report; its resolved scenario is run again on the events \
            engine. Runs are deterministic, so any difference is a change in the simulator: a change that \
            moves the figures must update the baselines in the same commit (--update), and the commit \
            message should explain the difference.

            Examples:
              presence-sim bench                       # check Reports/baselines
              presence-sim bench --update              # rewrite the baselines after an intended change
              presence-sim bench --junit reports/bench.xml   # one JUnit test case per baseline, for CI
              presence-sim run Scenarios/big-room.json --set clients=400 --out /tmp/b \\
                && cp /tmp/b/report.json Reports/baselines/big-room.json   # add a baseline

            Exit codes: 0 every baseline reproduced · 2 something changed · 64 unreadable baselines.
            """
    )

    @Argument(help: "The folder of baseline reports.")
    var directory: String = RegressionSuite.defaultDirectory

    @Flag(help: "Rewrite each baseline with this build's results.")
    var update = false

    @OptionGroup var junit: JUnitOption

    func run() throws {
        var changed = 0
        var results: [RegressionSuite.Result] = []
        do {
            for path in try RegressionSuite.baselines(in: directory) {
                let result = try RegressionSuite.check(path)
                results.append(result)
                let name = URL(fileURLWithPath: path).lastPathComponent
                if update {
                    try ReportWriter.writeJSON(result.report, to: path)
                    print((result.reproduced ? "same     " : "updated  ") + name)
                } else if result.reproduced {
                    print("ok       \(name)  \(result.report.fingerprint)")
                } else {
                    changed += 1
                    print("CHANGED  \(name)  \(result.baselineFingerprint) → \(result.report.fingerprint)")
                    var table = result.comparison.table
                    table.rows = table.rows.filter { $0.last != "unchanged" }
                    if table.rows.isEmpty {
                        print("  (the metrics agree; the timeline or distributions differ)")
                    } else {
                        print(TextRenderer(colour: false).render(table))
                    }
                }
            }
        } catch let error as CompareError {
            printError("error: \(error.description)")
            throw ExitCode(64)
        }
        try junit.write(JUnit.Suite(bench: results, updated: update))
        if changed > 0 {
            printError("\(changed) baseline(s) changed: if intended, run `presence-sim bench --update` and explain why")
            throw ExitCode(2)
        }
    }
}

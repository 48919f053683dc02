import ArgumentParser
import Foundation
import Reporting
import Scenario
import Simulation

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario and write its report.",
        discussion: """
            Runs the scenario in virtual time, prints a summary (thresholds first, then staleness, \
            heartbeat cost and fan-out) and writes report.json, report.md and report.html.

            The same scenario and seed give the same results on every run and on both engines; only the \
            wall-clock figures under "run" in report.json differ.

            Examples:
              presence-sim run Scenarios/family-chat.json
              presence-sim run Scenarios/family-chat.json --seed 42 --out /tmp/family
              presence-sim run Scenarios/family-chat.json --set protocol.heartbeat=30s --set clients=2000
              presence-sim run Scenarios/ttl-entries.json --engine events --format json > report.json
              presence-sim run Scenarios/family-chat.json --junit reports/thresholds.xml   # for CI

            Ctrl-C (or SIGTERM) stops the run within a second and still writes the reports, marked \
            "complete": false with the simulated time reached; a second Ctrl-C quits at once.

            Exit codes: 0 all thresholds passed · 2 a threshold failed · 64 bad input · 1 internal failure · \
            130 / 143 stopped by SIGINT / SIGTERM.
            """
    )

    @Argument(help: "The scenario file (JSON).", completion: .file(extensions: ["json"]))
    var file: String

    @Option(name: .long, help: ArgumentHelp("Where to write the reports.", valueName: "dir"))
    var out: String?

    @Option(name: .long, help: "Override the scenario's seed.")
    var seed: UInt64?

    @Option(name: .long, help: "The engine: actors (every client an actor) or events (a plain event loop, fastest).")
    var engine: EngineKind = .actors

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp("Override a scenario key, e.g. protocol.heartbeat=30s (repeatable).", valueName: "key=value")
    )
    var overrides: [String] = []

    @Option(name: .long, help: "What to print: text (a summary) or json (the report).")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Print nothing but errors; the exit code tells the verdict.")
    var quiet = false

    @OptionGroup var junit: JUnitOption

    func run() throws {
        var parsed = try overrides.map { text in try ScenarioInput.override(text) }
        if let seed { parsed.append(Override(path: "seed", value: JSONValue(seed))) }
        let scenario = try ScenarioInput.load(file, overrides: parsed)
        let directory = out ?? "Reports/\(scenario.name)"

        let progress = ProgressBar(enabled: !quiet && isatty(STDERR_FILENO) != 0)
        let interruption = Interruption()
        let started = Date()
        let outcome = Simulator.run(
            scenario, engine: engine, progress: progress.update, shouldStop: { interruption.requested })
        progress.finish()
        let wall = Date().timeIntervalSince(started)

        let report = RunReport(
            scenario: scenario, outcome: outcome, wallSeconds: wall, peakMemoryBytes: ProcessMemory.peakBytes())
        let files = try ReportWriter.write(report, to: directory)
        try junit.write(JUnit.Suite(run: report))

        let rate = wall > 0 ? Format.number(Double(outcome.events) / wall) : "–"
        printResult(
            format: format, quiet: quiet, json: { report.json }, headline: report.headline, tables: report.tables,
            closing: [
                "\(Format.grouped(outcome.events)) events in \(Format.seconds(wall)) (\(rate) events/s)",
                "Reports: " + files.joined(separator: "  "),
            ])
        if let code = interruption.exitCode { throw ExitCode(code) }
        if !report.thresholdsPassed { throw ExitCode(2) }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension EngineKind: ExpressibleByArgument {}

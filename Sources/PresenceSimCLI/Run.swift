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
              presence-sim run Scenarios/ttl-entries.json --replications 10 --set clients=300

            --replications N (or "replications": N in the scenario) runs N independent replications, \
            replication i with a seed derived from the scenario seed and i (replication 0 uses the seed \
            itself), up to --jobs at once. The report pools them and adds each metric's mean, standard \
            deviation and 95% Student t interval across them; the summary shows "value ± half-width".

            Ctrl-C (or SIGTERM) stops the run within a second and still writes the reports, marked \
            "complete": false with the simulated time reached (with replications: pooling those that \
            finished); a second Ctrl-C quits at once.

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

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The engine: actors (every client an actor) or events (a plain event loop, fastest). Default: actors "
                + "for one replication, events for several (the results are the same).", valueName: "engine"))
    var engine: EngineKind?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Run N independent replications and report 95% intervals (1…\(Scenario.maximumReplications); "
                + "overrides the scenario's \"replications\").", valueName: "N"))
    var replications: Int?

    @Option(help: "Replications to run at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

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

    func validate() throws {
        try validateReplications(replications, jobs: jobs)
    }

    func run() throws {
        var parsed = try overrides.map { text in try ScenarioInput.override(text) }
        if let seed { parsed.append(Override(path: "seed", value: JSONValue(seed))) }
        if let replications { parsed.append(Override(path: "replications", value: JSONValue(replications))) }
        let scenario = try ScenarioInput.load(file, overrides: parsed)
        let directory = out ?? "Reports/\(scenario.name)"

        let interruption = Interruption()
        let started = Date()
        let outcomes: [RunOutcome?]
        if scenario.replications == 1 {
            let progress = ProgressBar(enabled: !quiet && isatty(STDERR_FILENO) != 0)
            outcomes = [
                Simulator.run(
                    scenario, engine: engine ?? .actors, progress: progress.update,
                    shouldStop: { interruption.requested })
            ]
            progress.finish()
        } else {
            let tty = !quiet && isatty(STDERR_FILENO) != 0
            outcomes = ParallelRuns.run(
                (0..<scenario.replications).map(scenario.replication), engine: engine ?? .events, jobs: jobs,
                progress: tty ? Self.showProgress : nil, shouldStop: { interruption.requested })
            if tty { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        }
        let wall = Date().timeIntervalSince(started)

        let report = RunReport(
            scenario: scenario, replications: outcomes, wallSeconds: wall, peakMemoryBytes: ProcessMemory.peakBytes())
        let files = try ReportWriter.write(report, to: directory)
        try junit.write(JUnit.Suite(run: report))

        let events = report.outcome.events
        let rate = wall > 0 ? Format.number(Double(events) / wall) : "–"
        printResult(
            format: format, quiet: quiet, json: { report.json }, headline: report.headline, tables: report.tables,
            closing: (report.replicationNote.map { [$0] } ?? []) + [
                "\(Format.grouped(events)) events in \(Format.seconds(wall)) (\(rate) events/s)",
                "Reports: " + files.joined(separator: "  "),
            ])
        if let code = interruption.exitCode { throw ExitCode(code) }
        if !report.thresholdsPassed { throw ExitCode(2) }
    }
}

extension Run {
    @Sendable static func showProgress(done: Int, total: Int) {
        FileHandle.standardError.write(Data("\r\(done)/\(total) replications".utf8))
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension EngineKind: ExpressibleByArgument {}

import ArgumentParser
import Foundation
import Reporting
import Scenario
import Simulation

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a scenario for every combination of some keys' values and compare them.",
        discussion: """
            Each --set KEY=V1,V2,... adds a swept key; the points are the grid of all combinations, or \
            with --zip the lists advanced together. Without --set, the scenario's "sweep" block is used. \
            Points run on the events engine, in parallel up to --jobs; results do not depend on --jobs.

            Writes DIR/sweep.json (schema presence-sim/sweep@1), sweep.md and sweep.html (a Pareto chart of \
            staleness against cost, each metric against the swept value, and all points) and prints the \
            table and the Pareto-optimal settings.

            Examples:
              presence-sim sweep Scenarios/heartbeat-sweep.json
              presence-sim sweep Scenarios/family-chat.json --set protocol.heartbeat=10s,20s,30s,60s
              presence-sim sweep Scenarios/ttl-entries.json --set protocol.heartbeat=10s,20s,30s \\
                  --set protocol.ttl=25s,45s,70s --zip
              presence-sim sweep Scenarios/family-chat.json --set protocol.design=socketio-redis,ttl-entries \\
                  --x cost.bytesUpPerSecond --y staleness.queryAccuracy

            A big sweep on many machines: run one shard per machine, then merge:
              presence-sim sweep FILE --set ... --shard 0/4 --out out/0      # ... up to --shard 3/4
              presence-sim merge out/0 out/1 out/2 out/3 --out out/all

            --replications N runs every point N times with the same replication seeds (common random \
            numbers), pools them and gives every metric a 95% interval: the page draws error bars, and a \
            dominated point whose intervals overlap those of a point dominating it is marked "not \
            distinguishable".
              presence-sim sweep Scenarios/heartbeat-sweep.json --replications 10

            Ctrl-C (or SIGTERM) stops the sweep within a second and writes the points that finished; the \
            sweep is then marked "complete": false. A second Ctrl-C quits at once.

            --junit FILE writes each point's thresholds as JUnit test cases; a sweep explores, so a failed \
            threshold does not change its exit code.

            Exit codes: 0 ok · 64 bad input · 1 internal failure · 130 / 143 stopped by SIGINT / SIGTERM.
            """
    )

    @Argument(help: "The base scenario file (JSON).", completion: .file(extensions: ["json"]))
    var file: String

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "A swept key and its values, e.g. protocol.heartbeat=10s,20s (repeatable).", valueName: "key=v1,v2,..."))
    var sets: [String] = []

    @Flag(help: "Advance the --set lists together instead of crossing them.")
    var zip = false

    @Option(help: ArgumentHelp("Where to write the sweep (default Reports/<name>-sweep).", valueName: "dir"))
    var out: String?

    @Option(help: "Runs (points × replications) to run at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(
        help: ArgumentHelp(
            "Replications per point, for 95% intervals (1…\(Scenario.maximumReplications); overrides the "
                + "scenario's \"replications\").", valueName: "N"))
    var replications: Int?

    @Option(help: ArgumentHelp("Run only points I, I+N, I+2N, ... (0-based), for batch systems.", valueName: "I/N"))
    var shard: String?

    @Option(help: "The Pareto chart's x metric (a cost).")
    var x: String = SweepReport.defaultX

    @Option(help: "The Pareto chart's y metric (a staleness).")
    var y: String = SweepReport.defaultY

    @Option(help: "The engine for every point.")
    var engine: EngineKind = .events

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @OptionGroup var junit: JUnitOption

    func validate() throws {
        try validateReplications(replications, jobs: jobs)
        for metric in [x, y] where MetricCatalog.metric(at: metric) == nil {
            let hint = MetricCatalog.suggestion(for: metric).map { "; did you mean '\($0)'?" } ?? ""
            throw ValidationError("unknown metric '\(metric)'\(hint) (`presence-sim metrics` lists them)")
        }
        if let shard, Self.parseShard(shard) == nil {
            throw ValidationError("--shard: expected I/N with 0 <= I < N, like 0/4, found '\(shard)'")
        }
    }

    @Sendable static func showProgress(done: Int, total: Int) {
        FileHandle.standardError.write(Data("\r\(done)/\(total) runs".utf8))
    }

    static func parseShard(_ text: String) -> (index: Int, count: Int)? {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count > 0, index >= 0,
            index < count
        else { return nil }
        return (index, count)
    }

    func run() throws {
        let replicationOverride = replications.map { [Override(path: "replications", value: JSONValue($0))] } ?? []
        let base = try ScenarioInput.load(file, overrides: replicationOverride)
        let plan: SweepPlan
        switch Result(catching: { () throws(SweepError) in try SweepPlan(sets: sets, zip: zip, scenario: base) }) {
        case .success(let value): plan = value
        case .failure(let error):
            printError("error: \(error.description)")
            throw ExitCode(64)
        }
        let tty = !quiet && isatty(STDERR_FILENO) != 0
        let progress: (@Sendable (Int, Int) -> Void)? = tty ? Self.showProgress : nil
        let interruption = Interruption()
        let sweep: SweepReport
        let outcome = Result { () throws(ScenarioErrors) in
            try SweepRunner.run(
                file: file, baseOverrides: replicationOverride, plan: plan, shard: shard.flatMap(Self.parseShard),
                jobs: jobs,
                engine: engine, x: x, y: y, progress: progress, shouldStop: { interruption.requested })
        }
        switch outcome {
        case .success(let value): sweep = value
        case .failure(let error):
            printError(error.description)
            throw ExitCode(64)
        }
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        let files = try SweepOutput.write(sweep, to: out ?? "Reports/\(base.name)-sweep")
        try junit.write(JUnit.Suite(sweep: sweep))
        if !quiet { SweepOutput.print(sweep, files: files) }
        if let code = interruption.exitCode { throw ExitCode(code) }
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the shards of a sweep into one.",
        discussion: """
            Each folder holds the sweep.json of one `presence-sim sweep --shard I/N` run of the same \
            scenario and plan. Writes the joined sweep.json, sweep.md and sweep.html.

            Example (a Kubernetes indexed job, a Slurm array or GNU parallel runs the shards):
              parallel presence-sim sweep Scenarios/family-chat.json --set protocol.heartbeat=5s,10s,20s,30s,60s \\
                  --quiet --shard {}/4 --out out/{} ::: 0 1 2 3
              presence-sim merge out/0 out/1 out/2 out/3 --out out/all
            """
    )

    @Argument(help: "Folders with a sweep.json each.")
    var folders: [String]

    @Option(help: ArgumentHelp("Where to write the joined sweep.", valueName: "dir"))
    var out: String = "Reports/merged-sweep"

    @Option(help: "The Pareto chart's x metric (default: the shards').")
    var x: String?

    @Option(help: "The Pareto chart's y metric (default: the shards').")
    var y: String?

    func run() throws {
        let merged = Result { () throws(SweepError) in
            var documents: [(file: String, json: JSONValue)] = []
            for folder in folders {
                let file = folder + "/sweep.json"
                switch Result(catching: { () throws(CompareError) in try RegressionSuite.read(file) }) {
                case .success(let json): documents.append((file, json))
                case .failure(let error): throw SweepError(error.description)
                }
            }
            return try SweepRunner.merge(documents, x: x, y: y)
        }
        let sweep: SweepReport
        switch merged {
        case .success(let value): sweep = value
        case .failure(let error):
            printError("error: \(error.description)")
            throw ExitCode(64)
        }
        let files = try SweepOutput.write(sweep, to: out)
        SweepOutput.print(sweep, files: files)
        if !sweep.complete {
            printError("warning: \(sweep.points.count) of \(sweep.totalPoints) points: some shards are missing")
        }
    }
}

enum SweepOutput {
    static func write(_ sweep: SweepReport, to directory: String) throws -> [String] {
        var json: [UInt8] = []
        sweep.json.write(to: &json)
        json.append(UInt8(ascii: "\n"))
        let markdown =
            "# presence-sim sweep: \(sweep.scenarioName)\n\n" + MarkdownRenderer.render(sweep.table)
            + "\n" + sweep.paretoSummary + "\n"
        return try ReportWriter.write(
            [
                ("sweep.json", json), ("sweep.md", Array(markdown.utf8)),
                ("sweep.html", Array(SweepHTMLRenderer.render(sweep).utf8)),
            ], in: directory)
    }

    static func print(_ sweep: SweepReport, files: [String]) {
        let colour = isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        Swift.print(TextRenderer(colour: colour).render(sweep.table))
        Swift.print(sweep.paretoSummary)
        Swift.print("Sweep: " + files.joined(separator: "  "))
    }
}

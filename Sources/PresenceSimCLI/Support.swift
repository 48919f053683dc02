import ArgumentParser
import Foundation
import Reporting
import Scenario
import Simulation

/// Loading scenarios for commands: scenario errors print as they are and exit 64.
enum ScenarioInput {
    static func load(_ file: String, overrides: [Override]) throws -> Scenario {
        do {
            return try ScenarioLoader.load(path: file, overrides: overrides)
        } catch {
            printError(error.description)
            throw ExitCode(64)
        }
    }

    static func override(_ text: String) throws -> Override {
        do {
            return try Override.parse(text)
        } catch {
            printError(error.description)
            throw ExitCode(64)
        }
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
}

/// A progress line on stderr (simulated time, events per second, ETA), only on a terminal and only once
/// a run has taken more than a second.
final class ProgressBar: @unchecked Sendable {
    // @unchecked Sendable: the simulator calls `update` on the thread that runs it, the same thread that
    // calls `finish` afterwards; nothing else touches the state.
    private let enabled: Bool
    private let started = Date()
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ progress: Simulation.Progress) {
        guard enabled else { return }
        let wall = Date().timeIntervalSince(started)
        guard wall > 1 else { return }
        let share = progress.end.seconds > 0 ? min(1, progress.simulated.seconds / progress.end.seconds) : 1
        let width = 30
        let filled = Int(share * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let rate = Double(progress.events) / wall
        let eta = share > 0 ? wall * (1 - share) / share : 0
        let line =
            "\r\(bar) \(Int(share * 100))%  \(Format.seconds(progress.simulated.seconds)) simulated  "
            + "\(Format.number(rate)) events/s  ETA \(Format.seconds(eta))   "
        FileHandle.standardError.write(Data(line.utf8))
        shown = true
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
    }
}

enum ProcessMemory {
    /// The process's peak resident memory (VmHWM), or 0 where /proc is not available.
    static func peakBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.filter(\.isNumber)
            return (Int(digits) ?? 0) * 1024
        }
        return 0
    }
}

/// Prints a command's result on stdout: the JSON document, or (unless quiet) the headline, the tables
/// and some closing lines.
func printResult(
    format: OutputFormat, quiet: Bool, json: () -> JSONValue, headline: String, tables: [ReportTable],
    closing: [String]
) {
    switch format {
    case .json:
        print(json().serialized())
    case .text where !quiet:
        let colour = isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        print(headline + "\n")
        print(TextRenderer(colour: colour).render(tables))
        for line in closing { print(line) }
    case .text:
        break
    }
}

/// `--junit FILE`, shared by run, sweep, compare and bench.
/// Checks `--replications` and `--jobs` (run and sweep share them).
func validateReplications(_ replications: Int?, jobs: Int) throws {
    if jobs < 1 { throw ValidationError("--jobs must be at least 1, found \(jobs)") }
    if let replications, !(1...Scenario.maximumReplications).contains(replications) {
        throw ValidationError(
            "--replications must be between 1 and \(Scenario.maximumReplications), found \(replications)")
    }
}

struct JUnitOption: ParsableArguments {
    @Option(
        name: .customLong("junit"),
        help: ArgumentHelp(
            "Also write a JUnit XML test report here, for CI systems to show (the exit code is unchanged).",
            valueName: "file"), completion: .file(extensions: ["xml"]))
    var path: String?

    /// Writes the suite atomically, creating the file's folder; nothing when `--junit` was not given.
    func write(_ suite: @autoclosure () -> JUnit.Suite) throws {
        guard let path else { return }
        let url = URL(fileURLWithPath: path)
        do {
            try ReportWriter.write(
                Array(suite().xml.utf8), named: url.lastPathComponent, in: url.deletingLastPathComponent().path)
        } catch {
            printError("error: --junit: \(error)")
            throw ExitCode(64)
        }
    }
}

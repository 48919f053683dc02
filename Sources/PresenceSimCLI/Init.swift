import ArgumentParser
import Foundation
import Reporting
import Scenario

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a starter scenario for a design, ready to edit.",
        discussion: """
            Every commonly changed key is present (clients, rooms, the design's heartbeat, TTL and remedies, \
            behaviour, network, a fault and thresholds), and its "description" says what to change. The file \
            validates as written and its thresholds pass when it is run unchanged. An existing file is kept \
            unless --force is given.

            Examples:
              presence-sim init                                   # scenario.json, design socketio-redis
              presence-sim init --design ttl-entries --out Scenarios/lobby.json
              presence-sim init --design http-polling --out -     # print it

            Exit codes: 0 written · 64 the file exists (without --force) or cannot be written.
            """
    )

    @Option(help: "The design: socketio-redis, http-polling or ttl-entries.")
    var design: Design = .socketioRedis

    @Option(
        help: ArgumentHelp(
            "Where to write the scenario; - prints it. Its name comes from the file name.", valueName: "file"),
        completion: .file(extensions: ["json"]))
    var out: String = "scenario.json"

    @Flag(help: "Overwrite an existing file.")
    var force = false

    func run() throws {
        let url = URL(fileURLWithPath: out)
        let document = StarterScenario.document(design: design, name: Self.name(for: out == "-" ? "" : out))
        var bytes: [UInt8] = []
        document.write(to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
        do {
            _ = try ScenarioLoader.load(bytes: bytes, file: out)
        } catch {
            printError("internal error: the starter scenario does not load:\n\(error.description)")
            throw ExitCode.failure
        }
        if out == "-" {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        if !force && FileManager.default.fileExists(atPath: out) {
            printError("error: \(out) already exists; pass --force to overwrite it, or --out to write elsewhere")
            throw ExitCode(64)
        }
        do {
            try ReportWriter.write(bytes, named: url.lastPathComponent, in: url.deletingLastPathComponent().path)
        } catch {
            printError("error: \(error)")
            throw ExitCode(64)
        }
        print("Wrote \(out) (\(design.rawValue)). Next: presence-sim validate \(out) && presence-sim run \(out)")
    }

    /// The scenario name: the file name without `.json` when it is a valid name, else "scenario".
    static func name(for path: String) -> String {
        guard !path.isEmpty else { return "scenario" }
        var stem = URL(fileURLWithPath: path).lastPathComponent
        if stem.hasSuffix(".json") { stem.removeLast(5) }
        let allowed = stem.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
        }
        return allowed && (1...100).contains(stem.count) && stem != "." && stem != ".." ? stem : "scenario"
    }
}

extension Design: ExpressibleByArgument {}

import Foundation
import Scenario
import Testing

/// The bundled scenarios, as paths relative to the repository.
let bundledScenarioFiles: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: repository.path + "/Scenarios")) ?? []
    return names.filter { $0.hasSuffix(".json") }.sorted().map { "Scenarios/" + $0 }
}()

/// A bundled scenario at 100 clients; its duration, warm-up, faults and thresholds unchanged.
let fewClients = ["--set", "clients=100"]

/// Runs `scenario` in a process of its own and returns its report.json, parsed. A failed threshold
/// (exit 2) still writes the report.
func runReport(_ scenario: String, engine: String) throws -> JSONValue {
    let out = temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: out) }
    let result = try presenceSim(["run", scenario, "--engine", engine, "--out", out, "--quiet"] + fewClients)
    #expect(result.status == 0 || result.status == 2, "\(scenario) on \(engine): \(result.stderr)")
    return try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))))
}

/// report.json from two separate processes is the same, byte for byte, but for the wall-clock figures.
///
/// Each process gets its own hash seed, so a `Dictionary` or `Set` whose iteration order reaches the
/// report (a list, a sum in float, an order of events) makes two runs differ here even when every run in
/// one process agrees with itself, which is all `ReportingTests.DeterminismTests` can see.
@Suite struct CrossProcessDeterminismTests {
    /// The wall-clock fields of report.json, by JSON path: `RunReport.json` writes them under `run`, and
    /// they are the only fields that differ between two runs of one scenario and seed. (The other
    /// `eventsPerSecond`, `fanout.eventsPerSecond`, is simulated and stays.)
    static let wallClockFields = [["run", "wallSeconds"], ["run", "eventsPerSecond"], ["run", "peakMemoryBytes"]]

    /// The report as text without the wall-clock fields, in the layout report.json is written in.
    static func deterministicText(_ report: JSONValue, removing fields: [[String]]) -> String? {
        var report = report
        for field in fields {
            guard let removed = report.removing(field) else { return nil }
            report = removed
        }
        return report.serialized()
    }

    /// The first line where two reports differ, with its number, or nil when they are the same.
    static func firstDifference(_ first: String, _ second: String) -> String? {
        guard first != second else { return nil }
        let lines = [first, second].map { $0.split(separator: "\n", omittingEmptySubsequences: false) }
        let common = min(lines[0].count, lines[1].count)
        let index = (0..<common).first { lines[0][$0] != lines[1][$0] } ?? common
        let line = { (lines: [Substring]) in index < lines.count ? String(lines[index]) : "(end of report)" }
        return "line \(index + 1): \(line(lines[0])) | \(line(lines[1]))"
    }

    /// Both engines, twice each: the two runs of an engine agree, and (as the README promises) the
    /// engines agree with each other once the engine's name is left out too.
    @Test(arguments: bundledScenarioFiles)
    func twoProcessesWriteTheSameReport(scenario: String) throws {
        var firstRuns: [JSONValue] = []
        for engine in ["events", "actors"] {
            let first = try runReport(scenario, engine: engine)
            let second = try runReport(scenario, engine: engine)
            let texts = [first, second].map { Self.deterministicText($0, removing: Self.wallClockFields) }
            #expect(texts[0] != nil, "\(scenario): a wall-clock field is missing from report.json")
            let difference = Self.firstDifference(texts[0] ?? "", texts[1] ?? "")
            #expect(
                difference == nil,
                "\(scenario) on \(engine): two processes wrote different reports: \(difference ?? "")")
            firstRuns.append(first)
        }
        let fields = Self.wallClockFields + [["run", "engine"]]
        let engines = firstRuns.map { Self.deterministicText($0, removing: fields) ?? "" }
        let difference = Self.firstDifference(engines[0], engines[1])
        #expect(
            difference == nil, "\(scenario): the events and actors engines wrote different reports: \(difference ?? "")"
        )
    }

    /// The comparison above loses nothing: report.json is exactly its parsed value written again.
    @Test func aReportIsItsParsedValueWrittenAgain() throws {
        let out = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try presenceSim(
            ["run", "Scenarios/family-chat.json", "--engine", "events", "--out", out, "--quiet"] + fewClients)
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOfFile: out + "/report.json", encoding: .utf8)
        #expect(try JSONValue.parse(Array(text.utf8)).serialized() + "\n" == text)
    }
}

extension JSONValue {
    /// The value at a path of object keys, or nil when a key is missing.
    func value(at path: some Sequence<String>) -> JSONValue? {
        path.reduce(self as JSONValue?) { node, key in node?[key] }
    }

    /// A copy without the member at `path`, a path of object keys; nil when there is no such member.
    func removing(_ path: [String]) -> JSONValue? {
        guard case .object(let members) = self, let key = path.first,
            let index = members.firstIndex(where: { $0.key == key })
        else { return nil }
        var copy = members
        if path.count == 1 {
            copy.remove(at: index)
        } else {
            guard let inner = copy[index].value.removing(Array(path.dropFirst())) else { return nil }
            copy[index].value = inner
        }
        return .object(copy)
    }
}

import Foundation
import Reporting
import Scenario
import Simulation
import Testing

/// Inputs found by fuzzing (`Fuzz/run.sh`), kept in `Fuzz/Regressions`: `scenario-*` files are scenario
/// files, `report-*` files are report or sweep files.
private let regressions: [String] = {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz/Regressions").standardizedFileURL
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasPrefix("scenario-") || $0.hasPrefix("report-") }.sorted().map {
        folder.appendingPathComponent($0).path
    }
}()

/// What `compare` and `merge` do with a report file, and every renderer of the result: what the report
/// fuzz target runs. Returns whether the input was a comparable report or a sweep.
@discardableResult
private func readAsReport(_ bytes: [UInt8]) -> Bool {
    guard let document = try? JSONValue.parse(bytes) else { return false }
    var read = false
    if let comparison = try? ReportComparison(
        baseline: document, file: "a.json", current: document, file: "b.json", tolerance: 0.05, allowIncomplete: true)
    {
        _ = TextRenderer(colour: false).render(comparison.table)
        _ = MarkdownRenderer.render(comparison.table)
        _ = comparison.json.serialized()
        read = true
    }
    if let sweep = try? SweepRunner.merge([("a/sweep.json", document)], x: nil, y: nil) {
        _ = TextRenderer(colour: false).render(sweep.table)
        _ = sweep.paretoSummary
        _ = SweepHTMLRenderer.render(sweep)
        read = true
    }
    return read
}

/// A sweep.json of two points of a heartbeat sweep, each point's `params` and metrics given as JSON.
private func sweepDocument(_ points: [String], totalPoints: String = "2") -> [UInt8] {
    Array(
        """
        {"schema": "presence-sim/sweep@1", "scenario": {"name": "x"}, "parameters": {}, "zip": false,
         "totalPoints": \(totalPoints), "points": [\(points.joined(separator: ", "))]}
        """.utf8)
}

@Suite struct HostileInputTests {
    @Test(arguments: regressions)
    func fuzzFindingsEndInAResultOrAnError(path: String) throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        if path.contains("/scenario-") {
            if let scenario = try? ScenarioLoader.load(bytes: bytes, file: path) {
                _ = scenario.resolvedJSON().serialized()
            }
        } else {
            readAsReport(bytes)
        }
    }

    /// Found by fuzzing: the HTML page of a sweep whose points do not all set the same parameters
    /// indexed past the end of a point's parameters.
    @Test func aSweepWhosePointsSetDifferentKeysRenders() throws {
        let sweep = sweepDocument([
            #"{"index": 0, "params": {"protocol.heartbeat": "10s"}, "cost": {"heartbeatsPerSecond": 2}}"#,
            #"{"index": 1, "params": {}, "cost": {"heartbeatsPerSecond": 1}}"#,
        ])
        #expect(readAsReport(sweep))
        let merged = try SweepRunner.merge([("a/sweep.json", JSONValue.parse(sweep))], x: nil, y: nil)
        #expect(SweepHTMLRenderer.render(merged).contains("is not a number or a duration"))
    }

    /// Numbers no simulation gives (beyond `Int`, or the largest doubles) are shown, not trapped on.
    @Test func figuresBeyondTheRangeOfIntegersRender() throws {
        let report = Array(
            """
            {"schema": "presence-sim/report@1", "scenario": {"name": "x"},
             "staleness": {"ghosts": {"count": 1e300, "longest": -1e308}, "queryAccuracy": 1e308},
             "cost": {"heartbeatsPerSecond": 9.3e18}}
            """.utf8)
        #expect(readAsReport(report))
        let sweep = sweepDocument(
            [
                #"{"index": 1e300, "events": -1e300, "params": {"clients": 1e300}, "staleness": {"ghosts": {"count": 1e19}}}"#,
                #"{"index": 1, "params": {"clients": -1e308}, "staleness": {"ghosts": {"count": -1e19}}}"#,
            ], totalPoints: "1e300")
        #expect(readAsReport(sweep))
        #expect(Format.count(1e19) == "1e+19")
        #expect(Format.count(1_834) == "1,834")
        #expect(Format.number(-1e300) == "-1e+300")
    }
}

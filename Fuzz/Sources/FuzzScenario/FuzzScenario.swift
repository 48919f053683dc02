import Reporting
import Scenario
import Simulation

/// One input: the bytes of a scenario file.
///
/// Every input MUST end in a scenario or in errors that say what is wrong; a trap, a hang (libFuzzer's
/// `-timeout`) or an allocation beyond `-rss_limit_mb` is a finding. A valid scenario is also resolved and
/// read back (what `bench` does with a report's scenario), then run with at most 50 clients until the
/// first stop check, so that values the reader accepts are also values the engine can start with.
func fuzzScenario(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let scenario: Scenario
    do {
        scenario = try ScenarioLoader.load(bytes: bytes, file: "fuzz.json")
    } catch {
        precondition(!error.errors.isEmpty, "an error without a message")
        for problem in error.errors { precondition(!problem.message.isEmpty, "an empty message: \(problem)") }
        _ = error.description
        return 0
    }

    var resolved: [UInt8] = []
    scenario.resolvedJSON().write(to: &resolved)
    do {
        let again = try ScenarioLoader.load(bytes: resolved, file: "resolved.json")
        precondition(again == scenario, "the resolved scenario reads back differently:\n\(again)\n\(scenario)")
    } catch {
        preconditionFailure(
            "the resolved scenario does not read back: \(error)\n\(String(decoding: resolved, as: UTF8.self))")
    }

    var small = scenario
    if scenario.clients > 50 {
        guard
            let reduced = try? ScenarioLoader.load(
                bytes: bytes, file: "fuzz.json", overrides: [Override(path: "clients", value: JSONValue(50))])
        else { return 0 }
        small = reduced
    }
    let outcome = Simulator.run(small, engine: .events, shouldStop: { true })
    let report = RunReport(scenario: small, outcome: outcome, wallSeconds: 0, peakMemoryBytes: 0)
    _ = report.json.serialized()
    return 0
}

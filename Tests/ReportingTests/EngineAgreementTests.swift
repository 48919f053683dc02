import Foundation
import Reporting
import Scenario
import Simulation
import Testing

/// The bundled scenarios, at a reduced size so the suite stays fast.
let bundledScenarios: [String] = {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Scenarios")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(".json") }.sorted().map {
        folder.appendingPathComponent($0).standardizedFileURL.path
    }
}()

/// A bundled scenario with fewer clients, its duration and faults unchanged.
func reduced(_ path: String, clients: Int = 200) throws -> Scenario {
    try ScenarioLoader.load(path: path, overrides: [Override(path: "clients", value: JSONValue(clients))])
}

@Suite struct EngineAgreementTests {
    @Test func everyBundledScenarioIsFound() {
        #expect(bundledScenarios.count >= 7)
    }

    /// Both engines run the same models in the same order: every deterministic figure agrees.
    @Test(arguments: bundledScenarios)
    func bothEnginesGiveTheSameReport(path: String) throws {
        let scenario = try reduced(path)
        let events = RunReport(
            scenario: scenario, outcome: Simulator.run(scenario, engine: .events), wallSeconds: 0, peakMemoryBytes: 0)
        let actors = RunReport(
            scenario: scenario, outcome: Simulator.run(scenario, engine: .actors), wallSeconds: 0, peakMemoryBytes: 0)
        #expect(events.outcome.events > 1_000)
        #expect(events.metrics == actors.metrics)
        #expect(events.fingerprint == actors.fingerprint)
    }

    /// The same scenario and seed give a byte-identical report; another seed gives another one.
    @Test func runsAreDeterministicPerSeed() throws {
        let scenario = try reduced(bundledScenarios.first { $0.hasSuffix("family-chat.json") }!)
        func report(_ scenario: Scenario) -> String {
            RunReport(
                scenario: scenario, outcome: Simulator.run(scenario, engine: .events), wallSeconds: 0,
                peakMemoryBytes: 0
            )
            .json.serialized()
        }
        #expect(report(scenario) == report(scenario))
        var reseeded = scenario
        reseeded.seed += 1
        #expect(report(scenario) != report(reseeded))
    }
}

import PresenceCore
import Scenario
import Simulation
import Testing

/// Builds a scenario from JSON text, failing the test with the reader's errors if it is invalid.
func scenario(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Scenario {
    do {
        return try ScenarioLoader.load(bytes: Array(json.utf8), file: "test.json")
    } catch {
        Issue.record("invalid test scenario:\n\(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// Expects `actual` within `tolerance` of `expected`, saying both in the failure.
func expectClose(
    _ actual: Double, _ expected: Double, tolerance: Double, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        abs(actual - expected) <= tolerance, "\(what): \(actual), expected \(expected) ± \(tolerance)",
        sourceLocation: sourceLocation)
}

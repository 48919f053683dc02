import Foundation
import Testing

@testable import Scenario

/// The top-level `replications` key: a whole number in 1…1000, absent from the resolved scenario at 1.
@Suite struct ReplicationsKeyTests {
    @Test func acceptedValues() throws {
        #expect(try load(minimalScenario).replications == 1)
        #expect(try load(minimalScenario.with("replications", 1)).replications == 1)
        #expect(try load(minimalScenario.with("replications", 1000)).replications == 1000)
        let twenty = try load(minimalScenario.with("replications", 20))
        #expect(twenty.replications == 20)
        #expect(twenty.resolvedJSON()["replications"] == 20)
        #expect(try load(twenty.resolvedJSON()) == twenty)
        #expect(try load(minimalScenario).resolvedJSON()["replications"] == nil)
        #expect(try load(minimalScenario, overrides: [Override(path: "replications", value: 3)]).replications == 3)
    }

    @Test func rejectedValuesNameThePath() {
        let expected = "a whole number of replications between 1 and 1000"
        expectError(minimalScenario.with("replications", 0), at: "replications", "\(expected), found the number 0")
        expectError(minimalScenario.with("replications", 1001), at: "replications", "found the number 1001")
        expectError(minimalScenario.with("replications", 2.5), at: "replications", "found the number 2.5")
        expectError(minimalScenario.with("replications", -3), at: "replications", "found the number -3")
        expectError(
            minimalScenario.with("replications", "5"), at: "replications", "found \"5\"", hint: "without quotes")
        expectError(minimalScenario.settingNull("replications"), at: "replications", "found null")
    }
}

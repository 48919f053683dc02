import PresenceCore
import Testing

@testable import Scenario

@Suite struct RoundTripTests {
    @Test(arguments: ["valid/family-chat.json", "valid/minimal.json", "valid/every-key.json"])
    func resolvedJSONLoadsBackEqual(name: String) throws {
        let scenario = try ScenarioLoader.load(
            bytes: try fixture(name), file: name, overrides: [], physicalMemory: testMemory)
        let text = scenario.resolvedJSON().serialized()
        let again = try ScenarioLoader.load(
            bytes: Array(text.utf8), file: "resolved.json", overrides: [], physicalMemory: testMemory)
        #expect(again == scenario)
        #expect(again.resolvedJSON().serialized() == text)
    }

    @Test(arguments: Design.allCases)
    func everyDesignRoundTrips(design: Design) throws {
        let scenario = try load(minimalScenario.with("protocol.design", .string(design.rawValue)))
        let again = try load(text: scenario.resolvedJSON().serialized())
        #expect(again == scenario)
    }

    @Test func resolvedJSONFillsEveryProtocolKnobInDocumentedOrder() throws {
        let resolved = try load(minimalScenario).resolvedJSON()
        #expect(
            resolved.objectValue?.map(\.key) == [
                "name", "seed", "duration", "warmup", "clients", "rooms", "protocol", "behavior", "network", "faults",
                "thresholds", "timeline",
            ])
        #expect(resolved["protocol"]?.objectValue?.map(\.key) == ScenarioKeys.presence)
        #expect(resolved["protocol"]?["heartbeat"] == "20s")
        #expect(resolved["protocol"]?["typingStop"] == "1500ms")
        #expect(resolved["protocol"]?["userPoll"] == "off")
        #expect(resolved["protocol"]?["away"] == "never")
        #expect(resolved["protocol"]?["reconnect"] == ["initial": "1s", "max": "5s", "multiplier": 2, "jitter": 0.5])
        #expect(resolved["behavior"] == ["online": "never", "offline": "never", "graceful": 1, "vanish": 0.5])
        #expect(resolved["network"] == ["latency": ["constant": "0s"], "loss": 0])
        #expect(resolved["seed"] == 1)
        #expect(resolved["timeline"] == "1m")
    }

    @Test func resolvedJSONIsDeterministic() throws {
        let first = try ScenarioLoader.load(
            bytes: try fixture("valid/every-key.json"), file: "a", overrides: [], physicalMemory: testMemory)
        let second = try ScenarioLoader.load(
            bytes: try fixture("valid/every-key.json"), file: "b", overrides: [], physicalMemory: testMemory)
        #expect(first.resolvedJSON().serialized() == second.resolvedJSON().serialized())
    }
}

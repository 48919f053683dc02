import Foundation
import Testing

@testable import Scenario

/// Keeps `Scenarios/Schema/scenario.schema.json` in step with the reader: same keys, designs and metrics.
@Suite struct SchemaTests {
    private let schema: JSONValue

    init() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scenarios/Schema/scenario.schema.json")
        schema = try JSONValue.parse([UInt8](try Data(contentsOf: url)))
    }

    private func keys(_ path: [String]) -> Set<String> {
        var value: JSONValue? = schema
        for key in path { value = value?[key] }
        return Set(value?.objectValue?.map(\.key) ?? [])
    }

    @Test func objectsHaveTheReaderKeys() {
        #expect(keys(["properties"]) == Set(ScenarioKeys.root))
        #expect(keys(["properties", "rooms", "properties"]) == Set(ScenarioKeys.rooms))
        #expect(keys(["properties", "protocol", "properties"]) == Set(ScenarioKeys.presence))
        #expect(
            keys(["properties", "protocol", "properties", "reconnect", "properties"]) == Set(ScenarioKeys.reconnect))
        #expect(keys(["properties", "behavior", "properties"]) == Set(ScenarioKeys.behavior))
        #expect(keys(["properties", "behavior", "properties", "mobile", "properties"]) == Set(ScenarioKeys.mobile))
        #expect(keys(["properties", "behavior", "properties", "typing", "properties"]) == Set(ScenarioKeys.typing))
        #expect(keys(["properties", "network", "properties"]) == Set(ScenarioKeys.network))
        #expect(keys(["properties", "sweep", "properties"]) == Set(ScenarioKeys.sweep))
        #expect(keys(["$defs", "episodes", "properties"]) == Set(ScenarioKeys.episodes))
    }

    @Test func designsAndMetricsMatch() {
        let designs = schema["properties"]?["protocol"]?["properties"]?["design"]?["enum"]?.arrayValue?.compactMap(
            \.stringValue)
        #expect(designs == Design.allCases.map(\.rawValue))
        let metrics = schema["properties"]?["thresholds"]?["propertyNames"]?["enum"]?.arrayValue?.compactMap(
            \.stringValue)
        #expect(metrics == MetricCatalog.all.map(\.path))
    }
}

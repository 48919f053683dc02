import Foundation
import Testing

@testable import Scenario

/// Every JSON example in `Scenarios/FORMAT.md` must load: whole scenarios as they are, fragments
/// (`"protocol": {...}`) merged into the minimal scenario.
@Suite struct DocumentationTests {
    @Test func formatExamplesLoad() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scenarios/FORMAT.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        let blocks = text.components(separatedBy: "```json\n").dropFirst().compactMap {
            $0.components(separatedBy: "```").first
        }
        #expect(blocks.count >= 5)
        for block in blocks {
            let trimmed = block.trimmingCharacters(in: .whitespacesAndNewlines)
            var document: JSONValue
            if trimmed.hasPrefix("{") {
                document = try JSONValue.parse(trimmed)
            } else {
                let fragment = try JSONValue.parse("{" + trimmed + "}")
                let (key, value) = try #require(fragment.objectValue?.first)
                let path = ScenarioKeys.root.contains(key) ? key : "behavior." + key
                document = minimalScenario.with(path, value)
            }
            do {
                _ = try load(document)
            } catch {
                Issue.record("FORMAT.md example does not load:\n\(trimmed)\n\(error)")
            }
        }
    }
}

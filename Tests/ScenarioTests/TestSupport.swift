import Foundation
import PresenceCore
import Testing

@testable import Scenario

/// A machine with 16 GB, so that resource checks do not depend on the machine running the tests.
let testMemory: UInt64 = 16_000_000_000

/// The smallest valid scenario; tests change one key at a time with ``with(_:_:)``.
let minimalScenario: JSONValue = [
    "name": "test",
    "duration": "1h",
    "clients": 100,
    "rooms": ["size": 4],
    "protocol": ["design": "socketio-redis"],
]

extension JSONValue {
    /// A copy with `value` at the `--set` path `path`.
    func with(_ path: String, _ value: JSONValue) -> JSONValue {
        guard case .success(let parsed) = JSONPath.parse(path) else {
            Issue.record("bad test path \(path)")
            return self
        }
        var copy = self
        if case .failure(let failure) = copy.set(value, at: parsed) { Issue.record("cannot set \(path): \(failure)") }
        return copy
    }

    /// A copy whose top-level `key` is JSON `null` (``with(_:_:)`` would remove it).
    func settingNull(_ key: String) -> JSONValue {
        var copy = self
        copy[key] = .some(.null)
        return copy
    }
}

func load(_ document: JSONValue, overrides: [Override] = [], file: String = "test.json") throws(ScenarioErrors)
    -> Scenario
{
    try ScenarioLoader.load(
        bytes: Array(document.serialized().utf8), file: file, overrides: overrides, physicalMemory: testMemory)
}

func load(text: String, file: String = "test.json") throws(ScenarioErrors) -> Scenario {
    try ScenarioLoader.load(bytes: Array(text.utf8), file: file, overrides: [], physicalMemory: testMemory)
}

/// The errors loading `document` gives (an issue is recorded when it loads).
func errors(_ document: JSONValue, overrides: [Override] = [], sourceLocation: SourceLocation = #_sourceLocation)
    -> [ScenarioError]
{
    do {
        _ = try load(document, overrides: overrides)
        Issue.record("expected errors, but the scenario loaded", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.errors
    }
}

func errors(text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ScenarioError] {
    do {
        _ = try load(text: text)
        Issue.record("expected errors, but the scenario loaded", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.errors
    }
}

/// Expects exactly one error, at `path`, whose message contains `fragment`; returns it.
@discardableResult
func expectError(
    _ document: JSONValue, at path: String, _ fragment: String, hint: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) -> ScenarioError? {
    let found = errors(document, sourceLocation: sourceLocation)
    #expect(found.count == 1, "\(found)", sourceLocation: sourceLocation)
    guard let error = found.first else { return nil }
    #expect(error.path == path, "\(error)", sourceLocation: sourceLocation)
    #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
    if let hint { #expect(error.hint?.contains(hint) == true, "\(error)", sourceLocation: sourceLocation) }
    return error
}

/// The bytes of a fixture file.
func fixture(_ name: String) throws -> [UInt8] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    return [UInt8](try Data(contentsOf: url.appendingPathComponent(name)))
}

func fixturePath(_ name: String) throws -> String {
    let url = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    return url.appendingPathComponent(name).path
}

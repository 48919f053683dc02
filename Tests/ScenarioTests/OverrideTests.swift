import PresenceCore
import Testing

@testable import Scenario

@Suite struct OverrideTests {
    @Test func parsesTheCommandLineForm() throws {
        #expect(try Override.parse("protocol.heartbeat=10s") == Override(path: "protocol.heartbeat", value: "10s"))
        #expect(try Override.parse("clients=500") == Override(path: "clients", value: 500))
        #expect(try Override.parse("behavior.graceful=0.25") == Override(path: "behavior.graceful", value: 0.25))
        #expect(try Override.parse("protocol.leaveOnDisconnect=false").value == false)
        #expect(try Override.parse(#"name="quoted""#).value == "quoted")
        #expect(try Override.parse("name=007").value == "007")
        #expect(try Override.parse("description=a=b").value == "a=b")
        #expect(try Override.parse("behavior.typing=null").value == .null)
        #expect(try Override.parse(#"rooms.size={"uniform": [2, 4]}"#).value == ["uniform": [2, 4]])
        #expect(try Override.parse("seed=18446744073709551615").value.uint64Value == UInt64.max)
        #expect(try Override.parse(" faults[0].at = 5m ") == Override(path: "faults[0].at", value: "5m"))
    }

    @Test func parseErrors() {
        #expect(throws: ScenarioErrors.self) { try Override.parse("protocol.heartbeat") }
        #expect(throws: ScenarioErrors.self) { try Override.parse("=10s") }
        #expect(throws: ScenarioErrors.self) { try Override.parse("protocol..heartbeat=10s") }
        #expect(throws: ScenarioErrors.self) { try Override.parse("faults[x].at=1m") }
        #expect(throws: ScenarioErrors.self) { try Override.parse("faults[0=1m") }
        do {
            _ = try Override.parse("heartbeat")
        } catch {
            #expect(error.description.contains("expected KEY=VALUE"))
        }
    }

    @Test func pathSyntax() {
        func components(_ text: String) -> [JSONPath.Component]? {
            if case .success(let path) = JSONPath.parse(text) { return path.components }
            return nil
        }
        #expect(components("a.b") == [.key("a"), .key("b")])
        #expect(components("faults[2].at") == [.key("faults"), .index(2), .key("at")])
        #expect(components("a[0][1]") == [.key("a"), .index(0), .index(1)])
        #expect(
            components(#"sweep.set["protocol.heartbeat"]"#) == [.key("sweep"), .key("set"), .key("protocol.heartbeat")])
        #expect(
            components("thresholds.cost.heartbeatsPerSecond") == [.key("thresholds"), .key("cost.heartbeatsPerSecond")])
        for bad in ["", ".a", "a.", "a..b", "[0]", "a[", "a[-1]", "a[1]b", "a[+1]"] {
            #expect(components(bad) == nil, "\(bad)")
        }
        #expect(
            JSONPath(components: [.key("thresholds"), .key("a.b"), .index(3), .key("ok")]).description
                == #"thresholds["a.b"][3].ok"#)
    }

    @Test func overridesApplyBeforeValidation() throws {
        let base = minimalScenario.with("faults", [["at": "10m", "kind": "restart-core"]])
        let scenario = try load(
            base,
            overrides: [
                Override(path: "protocol.heartbeat", value: "10s"), Override(path: "faults[0].at", value: "20m"),
                Override(path: "faults[1]", value: ["at": "30m", "kind": "restart-core"]),
                Override(path: "behavior.mobile.share", value: 0.3), Override(path: "rooms.size", value: 6),
                try Override.parse("thresholds.cost.heartbeatsPerSecond=< 100"),
            ])
        #expect(scenario.presence.heartbeat == .seconds(10))
        #expect(
            scenario.faults == [
                Fault(at: .minutes(20), kind: .restartCore), Fault(at: .minutes(30), kind: .restartCore),
            ])
        #expect(scenario.behavior.mobile == Mobile(share: 0.3))
        #expect(scenario.rooms.size == .constant(6))
        #expect(scenario.thresholds.map(\.metric) == ["cost.heartbeatsPerSecond"])
    }

    @Test func nullRemovesAKey() throws {
        let base = minimalScenario.with("behavior.mobile", ["share": 0.5])
        #expect(try load(base).behavior.mobile != nil)
        #expect(try load(base, overrides: [Override(path: "behavior.mobile", value: .null)]).behavior.mobile == nil)
        let heartbeat = try load(
            minimalScenario.with("protocol.heartbeat", "5s"),
            overrides: [Override(path: "protocol.heartbeat", value: .null)])
        #expect(heartbeat.presence.heartbeat == .seconds(20))
    }

    @Test func badOverridesAreReportedWithTheirSource() {
        let indexError = errors(minimalScenario, overrides: [Override(path: "faults[3].at", value: "1m")])
        #expect(indexError.count == 1)
        #expect(indexError.first?.path == "faults[3].at")
        #expect(indexError.first?.message.contains("faults has 0 elements; expected an index of at most 0") == true)

        let intoString = errors(minimalScenario, overrides: [Override(path: "name.first", value: "x")])
        #expect(
            intoString.first?.message.contains("cannot set 'first' inside name: it is \"test\", not an object") == true)

        let syntax = errors(minimalScenario, overrides: [Override(path: "protocol..heartbeat", value: "1s")])
        #expect(syntax.first?.message.contains("a key is missing") == true)

        let unknown = errors(minimalScenario, overrides: [Override(path: "protocol.hartbeat", value: "10s")])
        #expect(unknown.count == 1)
        #expect(unknown.first?.path == "protocol.hartbeat")
        #expect(unknown.first?.message.contains("did you mean 'heartbeat'?") == true)
        #expect(unknown.first?.hint == "the value comes from --set protocol.hartbeat=10s")

        let invalid = errors(minimalScenario, overrides: [Override(path: "protocol.heartbeat", value: 10)])
        #expect(invalid.first?.path == "protocol.heartbeat")
        #expect(invalid.first?.hint?.contains("(the value comes from --set protocol.heartbeat=10)") == true)
    }
}

import PresenceCore
import Testing

@testable import Scenario

@Suite struct SweepTests {
    @Test func readsParametersInFileOrder() throws {
        let scenario = try load(
            minimalScenario.with(
                "sweep", ["set": ["protocol.heartbeat": ["10s", "20s"], "protocol.ttl": ["30s", "60s", "3x"]]]))
        let sweep = try #require(scenario.sweep)
        #expect(sweep.zip == false)
        #expect(
            sweep.parameters == [
                Sweep.Parameter(path: "protocol.heartbeat", values: ["10s", "20s"]),
                Sweep.Parameter(path: "protocol.ttl", values: ["30s", "60s", "3x"]),
            ])
        #expect(sweep.runs.count == 6)
        #expect(
            sweep.runs[1] == [
                Override(path: "protocol.heartbeat", value: "10s"), Override(path: "protocol.ttl", value: "60s"),
            ])
    }

    @Test func zipPairsTheLists() throws {
        let scenario = try load(
            minimalScenario.with(
                "sweep", ["set": ["protocol.heartbeat": ["10s", "20s"], "clients": [10, 20]], "zip": true]))
        #expect(
            scenario.sweep?.runs == [
                [Override(path: "protocol.heartbeat", value: "10s"), Override(path: "clients", value: 10)],
                [Override(path: "protocol.heartbeat", value: "20s"), Override(path: "clients", value: 20)],
            ])
        expectError(
            minimalScenario.with(
                "sweep", ["set": ["protocol.heartbeat": ["10s", "20s"], "clients": [10]], "zip": true]),
            at: "sweep.set", "every list must have the same length, found lengths 2, 1")
    }

    @Test func everyValueIsValidatedByApplyingIt() {
        let found = errors(
            minimalScenario.with("faults", [["at": "40m", "kind": "restart-core"]]).with(
                "sweep",
                [
                    "set": [
                        "protocol.heartbeat": ["10s", 20, "-1s"], "duration": ["2h", "30m"],
                        "behavior.mobile.share": [0.5, 2],
                    ]
                ]))
        #expect(
            found.map(\.path) == [
                #"sweep.set["protocol.heartbeat"][1]"#, #"sweep.set["protocol.heartbeat"][2]"#, "sweep.set.duration[1]",
                #"sweep.set["behavior.mobile.share"][1]"#,
            ])
        #expect(found[0].message == #"expected a duration with a unit like "20s" or "250ms", found the number 20"#)
        #expect(found[0].hint?.contains("\"20s\"") == true)
        #expect(found[2].message.hasPrefix("faults[0].at: expected a time before the end of the run"))
        #expect(found[3].message.contains("share between 0 and 1"))
    }

    @Test func pathsAreChecked() {
        expectError(
            minimalScenario.with("sweep", ["set": ["protocol.hartbeat": ["10s"]]]),
            at: #"sweep.set["protocol.hartbeat"][0]"#, "unknown key 'hartbeat'; did you mean 'heartbeat'?")
        expectError(
            minimalScenario.with("sweep", ["set": ["protocol..x": ["10s"]]]), at: #"sweep.set["protocol..x"]"#,
            "expected a key path")
        expectError(
            minimalScenario.with("sweep", ["set": ["sweep.zip": [true]]]), at: #"sweep.set["sweep.zip"]"#,
            "cannot set its own keys")
        expectError(
            minimalScenario.with("sweep", ["set": ["faults[2].at": ["1m"]]]), at: #"sweep.set["faults[2].at"][0]"#,
            "expected an index of at most 0")
        expectError(
            minimalScenario.with("sweep", ["set": ["clients": []]]), at: #"sweep.set.clients"#, "non-empty list")
        expectError(minimalScenario.with("sweep", ["set": ["clients": 5]]), at: #"sweep.set.clients"#, "non-empty list")
        expectError(minimalScenario.with("sweep", ["set": [:]]), at: "sweep.set", "found an empty object")
        expectError(
            minimalScenario.with("sweep", ["set": ["clients": [1]], "zip": "yes"]), at: "sweep.zip", "true or false")
    }

    @Test func runCountIsLimited() {
        let many = JSONValue.array((1...40).map { JSONValue($0) })
        let error = expectError(
            minimalScenario.with("sweep", ["set": ["clients": many, "seed": many]]), at: "sweep.set",
            "expands to 1600 runs; expected at most 1000")
        #expect(error?.hint?.contains("zip") == true)
    }

    @Test func errorsAlreadyInTheBaseAreNotRepeated() {
        let found = errors(minimalScenario.with("name", "bad name").with("sweep", ["set": ["clients": [10, 20]]]))
        #expect(found.map(\.path) == ["name"])
    }
}

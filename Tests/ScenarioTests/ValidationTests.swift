import Foundation
import PresenceCore
import Testing

@testable import Scenario

@Suite struct ValidationTests {
    @Test func names() throws {
        #expect(try load(minimalScenario.with("name", "a.B_c-9")).name == "a.B_c-9")
        expectError(minimalScenario.with("name", ""), at: "name", "found an empty string")
        expectError(
            minimalScenario.with("name", "family chat"), at: "name", "found \"family chat\"", hint: "\"family-chat\"")
        expectError(minimalScenario.with("name", "../etc"), at: "name", "found \"../etc\"")
        expectError(minimalScenario.with("name", ".."), at: "name", "can be a folder name")
        expectError(
            minimalScenario.with("name", .string(String(repeating: "a", count: 101))), at: "name", "at most 100")
        expectError(minimalScenario.with("name", 7), at: "name", "found the number 7")
        expectError(minimalScenario.settingNull("name"), at: "name", "found null")
    }

    @Test func seeds() throws {
        #expect(try load(minimalScenario).seed == 1)
        #expect(try load(minimalScenario.with("seed", 0)).seed == 0)
        #expect(try load(minimalScenario.with("seed", JSONValue(UInt64.max))).seed == UInt64.max)
        #expect(
            try load(
                text: minimalScenario.with("seed", 0).serialized().replacingOccurrences(
                    of: "\"seed\": 0", with: "\"seed\": 12345678901234567891")
            ).seed == 12_345_678_901_234_567_891)
        expectError(minimalScenario.with("seed", 1.5), at: "seed", "found the number 1.5")
        expectError(minimalScenario.with("seed", -1), at: "seed", "found the number -1")
        expectError(minimalScenario.with("seed", "7"), at: "seed", "found \"7\"", hint: "without quotes: 7")
        expectError(
            minimalScenario.with("seed", .bigInteger("18446744073709551616")), at: "seed",
            "found the number 18446744073709551616")
        expectError(minimalScenario.with("seed", 1e300), at: "seed", "found the number 1e+300")
    }

    @Test func clients() throws {
        expectError(minimalScenario.with("clients", 0), at: "clients", "at least 1, found the number 0")
        expectError(minimalScenario.with("clients", -5), at: "clients", "found the number -5")
        expectError(minimalScenario.with("clients", 10.5), at: "clients", "found the number 10.5")
        expectError(minimalScenario.with("clients", "100"), at: "clients", "found \"100\"", hint: "without quotes: 100")
        let memory = expectError(
            minimalScenario.with("clients", 1e12), at: "clients", "1 trillion clients need about 1.1 PB of memory")
        #expect(memory?.message.contains("this machine has 16 GB and a run may use 80% of it") == true)
        #expect(memory?.hint == "at most 11,678,805 clients fit on this machine")
        expectError(minimalScenario.with("clients", 1e300), at: "clients", "1.0e+300 clients need about")
        expectError(minimalScenario.with("clients", .bigInteger("99999999999999999999999")), at: "clients", "of memory")
    }

    @Test func memoryEstimateWeighsRoomsBySize() {
        // Uniform 2…5000: a membership falls in a room in proportion to its size, E[s²]/E[s] ≈ 3,334 members.
        let rooms = minimalScenario.with("rooms.size", ["uniform": [2, 5000]]).with("clients", 2_000_000)
        let error = expectError(rooms, at: "clients", "2 million clients need about 122 GB of memory")
        #expect(error?.message.contains("3,334 on average, counting a room as often as it has members") == true)
        #expect(error?.hint == "at most 209,732 clients fit on this machine")
    }

    /// A client in 50 rooms of 5,000 keeps 50 × 5,000 views: refused up front, with the estimate.
    @Test func membershipsCountInTheEstimate() {
        let scenario = minimalScenario.with("clients", 100_000).with("rooms.size", 5000).with("rooms.perClient", 50)
        let error = expectError(scenario, at: "clients", "100,000 clients need about 450 GB of memory")
        #expect(error?.message.contains("for each of its 50 rooms on average") == true)
        // A million clients in a handful of small rooms each fit this machine type (24 GB).
        let million = minimalScenario.with("clients", 1_000_000).with("rooms.size", ["uniform": [2, 8]])
            .with("rooms.perClient", ["uniform": [1, 5]]).with("duration", "1h")
        #expect(throws: Never.self) {
            try ScenarioLoader.load(
                bytes: Array(million.serialized().utf8), file: "million.json", overrides: [],
                physicalMemory: 24 << 30)
        }
    }

    @Test func absurdWorkIsRefused() {
        let error = expectError(
            minimalScenario.with("clients", 5_000_000).with("duration", "30d").with("protocol.heartbeat", "1s")
                .with("timeline", "1h"),
            at: "clients", "come to about 54 trillion events")
        #expect(error?.message.contains("roughly 208 days at 3 million events/s; the limit is 200 billion") == true)
        #expect(ResourceEstimate.events(clients: 10, duration: .hours(1), heartbeat: .seconds(20)) == 7_200)
    }

    /// Deliveries are counted per simulated second, so a run's memory grows with its length: a century is
    /// refused up front, with the estimate, however few the clients.
    @Test func aCenturyIsRefusedUpFront() throws {
        let error = expectError(
            minimalScenario.with("clients", 10).with("duration", "36500d").with("timeline", "4d"), at: "duration",
            "a run of 100 years with 10 clients needs about 25 GB of memory (8 B per simulated second")
        #expect(error?.hint == "at most about 51 years fit on this machine")
        #expect(
            try load(minimalScenario.with("clients", 10).with("duration", "3650d").with("timeline", "1d")).clients == 10
        )
    }

    /// Every recurring action counts toward the events, not only heartbeats; the message names the busiest.
    @Test func fastPollsAndChurnAreRefusedUpFront() {
        expectError(
            minimalScenario.with("protocol.typingPoll", "1us"), at: "clients",
            "100 clients over \"1h\" with protocol.typingPoll every \"1us\" come to about 1.4 trillion events",
            hint: "use fewer clients, a shorter duration or a longer period for protocol.typingPoll")
        expectError(
            minimalScenario.with("behavior.online", ["constant": "1us"]).with("behavior.offline", ["constant": "1us"]),
            at: "clients", "with behavior.online every \"2us\"")
        expectError(
            minimalScenario.with("protocol.expiry", "1ns").with("duration", "2h"), at: "clients",
            "with protocol.expiry every \"1ns\"")
    }

    @Test func warmupAndTimeline() throws {
        expectError(
            minimalScenario.with("warmup", "1h"), at: "warmup", "shorter than the duration (\"1h\"), found \"1h\"")
        expectError(minimalScenario.with("warmup", "2h"), at: "warmup", "shorter than the duration")
        #expect(try load(minimalScenario.with("warmup", "59m")).warmup == .minutes(59))
        #expect(try load(minimalScenario.with("timeline", "10s")).timeline == .seconds(10))
        #expect(try load(minimalScenario.with("timeline", "2h")).timeline == .hours(2))
        let fine = expectError(minimalScenario.with("timeline", "100ms"), at: "timeline", "gives 36000 points")
        #expect(fine?.hint == "set \"timeline\" to \"360ms\" or longer")
        expectError(
            minimalScenario.with("duration", "8d"), at: "timeline", "the default timeline \"1m\" gives 11520 points")
        #expect(try load(minimalScenario.with("duration", "10000m")).timeline == .minutes(1))
    }

    @Test func behaviorRules() throws {
        let graceful = try load(minimalScenario.with("behavior.graceful", 0).with("behavior.vanish", 1)).behavior
        #expect(graceful.graceful == 0 && graceful.vanish == 1)
        expectError(
            minimalScenario.with("behavior.graceful", 1.5), at: "behavior.graceful",
            "share between 0 and 1, found the number 1.5")
        expectError(
            minimalScenario.with("behavior.graceful", 60), at: "behavior.graceful", "found the number 60",
            hint: "write 0.6 for 60%")
        expectError(
            minimalScenario.with("behavior.vanish", "50%"), at: "behavior.vanish", "found \"50%\"",
            hint: "write 0.5 instead")
        expectError(minimalScenario.with("behavior.vanish", -0.1), at: "behavior.vanish", "found the number -0.1")
        let missing = expectError(
            minimalScenario.with("behavior.online", ["exponential": "1h"]), at: "behavior.offline",
            "required key is missing when 'online' is given")
        #expect(missing?.hint?.contains("\"never\"") == true)
        #expect(try load(minimalScenario.with("behavior.online", "never")).behavior.offline == .never)
        expectError(
            minimalScenario.with("behavior.online", ["exponential": "1h"]).with("behavior.ofline", "never"),
            at: "behavior.ofline", "did you mean 'offline'?")
    }

    @Test func mobileAndTyping() throws {
        let mobile = try load(minimalScenario.with("behavior.mobile", ["share": 1, "ios": 0, "suspendAfter": "0s"]))
            .behavior.mobile
        #expect(mobile == Mobile(share: 1, ios: 0, suspendAfter: .zero))
        expectError(
            minimalScenario.with("behavior.mobile", ["ios": 0.5]), at: "behavior.mobile.share",
            "required key is missing")
        expectError(
            minimalScenario.with("behavior.mobile", ["share": 0.5, "dozeWindow": "0s"]),
            at: "behavior.mobile.dozeWindow", "greater than 0")
        expectError(
            minimalScenario.with("behavior.mobile", ["share": 0.5, "suspend": "5s"]), at: "behavior.mobile.suspend",
            "did you mean 'suspendAfter'?")
        let typing: JSONValue = ["burstsPerHour": 6, "burst": ["uniform": ["2s", "30s"]], "keystroke": "250ms"]
        #expect(
            try load(minimalScenario.with("behavior.typing", typing)).behavior.typing
                == Typing(burstsPerHour: 6, burst: .uniform(.seconds(2), .seconds(30)), keystroke: .milliseconds(250)))
        expectError(
            minimalScenario.with("behavior.typing", typing.with("burstsPerHour", 5000)),
            at: "behavior.typing.burstsPerHour", "between 0 and 3600")
        expectError(
            minimalScenario.with("behavior.typing", typing.with("keystroke", "0ms")), at: "behavior.typing.keystroke",
            "greater than 0")
        expectError(
            minimalScenario.with("behavior.typing", typing.with("burst", "never")), at: "behavior.typing.burst",
            "found \"never\"", hint: "not allowed")
        expectError(
            minimalScenario.with("behavior.typing", typing.with("bursts_per_hour", 1).with("burstsPerHour", .null)),
            at: "behavior.typing.bursts_per_hour", "did you mean 'burstsPerHour'?")
    }

    @Test func network() throws {
        let network = try load(
            minimalScenario.with(
                "network", ["loss": 0.999, "outages": ["every": ["exponential": "1h"], "for": ["constant": "30s"]]])
        ).network
        #expect(network.loss == 0.999)
        #expect(network.outages == Episodes(every: .exponential(mean: .hours(1)), duration: .constant(.seconds(30))))
        #expect(network.latency == .constant(.zero))
        expectError(minimalScenario.with("network.loss", 1), at: "network.loss", "below 1, found the number 1")
        expectError(minimalScenario.with("network.loss", -0.5), at: "network.loss", "found the number -0.5")
        expectError(
            minimalScenario.with("network.latency", "50ms"), at: "network.latency", "found \"50ms\"",
            hint: #"{"constant": "50ms"}"#)
    }

    @Test func faults() throws {
        let faults: JSONValue = [
            ["at": "0s", "kind": "restart-core"], ["at": "10m", "kind": "partition", "for": "2m"],
            ["at": "20m", "kind": "partition", "share": 0.3, "for": "2m"],
            ["at": "59m", "kind": "latency-spike", "factor": 10, "for": "5m"],
        ]
        #expect(
            try load(minimalScenario.with("faults", faults)).faults == [
                Fault(at: .zero, kind: .restartCore),
                Fault(at: .minutes(10), kind: .partition(share: 1, duration: .minutes(2))),
                Fault(at: .minutes(20), kind: .partition(share: 0.3, duration: .minutes(2))),
                Fault(at: .minutes(59), kind: .latencySpike(factor: 10, duration: .minutes(5))),
            ])
        expectError(
            minimalScenario.with("faults", [["at": "1h", "kind": "restart-core"]]), at: "faults[0].at",
            "before the end of the run (the duration is \"1h\"), found \"1h\"")
        expectError(
            minimalScenario.with("faults", [["at": "1m", "kind": "restart"]]), at: "faults[0].kind",
            "found \"restart\"", hint: "\"restart-core\"")
        expectError(
            minimalScenario.with("faults", [["at": "1m", "kind": "partition"]]), at: "faults[0].for",
            "required key is missing")
        expectError(
            minimalScenario.with("faults", [["at": "1m", "kind": "latency-spike", "factor": 0.5, "for": "1m"]]),
            at: "faults[0].factor", "at least 1")
        expectError(
            minimalScenario.with("faults", [["at": "1m", "kind": "latency-spike", "for": "1m"]]),
            at: "faults[0].factor", "required key is missing")
        expectError(
            minimalScenario.with("faults", [["at": "1m", "kind": "restart-core", "share": 0.5]]), at: "faults[0].share",
            "'share' does not apply to a restart-core fault")
        expectError(
            minimalScenario.with("faults", [["at": "1m", "kind": "partition", "factor": 2, "for": "1m"]]),
            at: "faults[0].factor", "does not apply", hint: "'share' and 'for'")
        expectError(
            minimalScenario.with("faults", [["kind": "restart-core"]]), at: "faults[0].at", "required key is missing")
        expectError(
            minimalScenario.with("faults", ["at": "1m", "kind": "restart-core"]), at: "faults", "found an object")
        expectError(minimalScenario.with("faults", ["restart-core"]), at: "faults[0]", "found \"restart-core\"")
        #expect(try load(minimalScenario.with("faults", [])).faults.isEmpty)
    }

    @Test func unknownKeysAtEveryLevel() {
        expectError(
            minimalScenario.with("clients", .null).with("clinets", 5), at: "clinets",
            "unknown key 'clinets'; did you mean 'clients'?")
        expectError(
            minimalScenario.with("protocol.Heartbeat", "5s"), at: "protocol.Heartbeat", "did you mean 'heartbeat'?")
        expectError(
            minimalScenario.with("protocol.reconnect", ["maximum": "5s"]), at: "protocol.reconnect.maximum",
            "unknown key 'maximum'", hint: "'initial', 'max'")
        let misplaced = expectError(
            minimalScenario.with("heartbeat", "5s"), at: "heartbeat", "unknown key 'heartbeat' here")
        #expect(misplaced?.hint == "'heartbeat' belongs elsewhere: write it as protocol.heartbeat")
        expectError(minimalScenario.with("sweep", ["sets": [:]]), at: "sweep.sets", "did you mean 'set'?")
        expectError(minimalScenario.with("zzz", 1), at: "zzz", "unknown key 'zzz'", hint: "'name', 'description'")
    }

    @Test func wrongTopLevelShapes() {
        for text in ["[]", "1", "\"scenario\"", "null"] {
            let found = errors(text: text)
            #expect(found.count == 1)
            #expect(found.first?.path == "")
            #expect(found.first?.message.hasPrefix("expected an object with the scenario keys") == true)
        }
        let empty = errors(text: "{}")
        #expect(empty.map(\.path) == ["name", "duration", "clients", "rooms", "protocol"])
        #expect(empty.allSatisfy { $0.message.hasPrefix("required key is missing; expected") })
    }

    @Test func emptyContainersAndStrings() {
        expectError(minimalScenario.with("rooms", [:]), at: "rooms.size", "required key is missing")
        expectError(minimalScenario.with("protocol", [:]), at: "protocol.design", "required key is missing")
        expectError(minimalScenario.with("protocol.heartbeat", ""), at: "protocol.heartbeat", "found \"\"")
        expectError(minimalScenario.with("behavior", []), at: "behavior", "found an empty array")
        expectError(minimalScenario.with("description", 5), at: "description", "expected a string, found the number 5")
    }

    @Test func filesThatCannotBeRead() throws {
        let missing = "/nonexistent/dir/family.json"
        #expect(throws: ScenarioErrors.self) { try ScenarioLoader.load(path: missing) }
        do {
            _ = try ScenarioLoader.load(path: missing)
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/dir/family.json: no such file"))
        }
        let directory = FileManager.default.temporaryDirectory.path
        do {
            _ = try ScenarioLoader.load(path: directory)
            Issue.record("loaded a directory")
        } catch {
            #expect(error.description.contains("is a directory, not a scenario file"))
        }
        let utf16 = errors(text: "")  // an empty file
        #expect(utf16.first?.message.hasPrefix("the file is empty; expected a scenario") == true)
        do {
            _ = try ScenarioLoader.load(bytes: [0xFF, 0xFE, 0x7B, 0x00], file: "u.json")
        } catch {
            #expect(error.errors.first?.message == "the file is UTF-16; expected UTF-8 text")
        }
    }

    @Test func loadsFromAPath() throws {
        let scenario = try ScenarioLoader.load(path: try fixturePath("valid/minimal.json"))
        #expect(scenario.name == "minimal")
    }

    @Test func hostileInputNeverTraps() {
        let inputs: [String] = [
            String(repeating: "{\"a\":", count: 100_000), String(repeating: "[", count: 100_000),
            "{\"clients\": 1e308, \"duration\": \"9223372036854775807ns\"}",
            "{\"duration\": \"99999999999999999999999999999d\", \"clients\": -1e308}",
            "{\"seed\": -99999999999999999999999999, \"warmup\": \"-0s\", \"timeline\": \"1ns\", \"duration\": \"36500d\"}",
            "{\"rooms\": {\"size\": {\"uniform\": [1e308, -1e308]}}, \"protocol\": {\"design\": \"ttl-entries\", \"ttl\": \"1e308x\", \"roomSetTTL\": \"99999999999999999999x\"}}",
            "\u{0}", "{\"\u{0}\": 1}", "{\"name\": \"\\u0000\"}",
        ]
        for input in inputs {
            let found = errors(text: input)
            #expect(!found.isEmpty)
        }
    }
}

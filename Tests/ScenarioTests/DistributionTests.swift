import PresenceCore
import Testing

@testable import Scenario

@Suite struct DistributionTests {
    private func online(_ value: JSONValue) throws -> Distribution {
        try load(minimalScenario.with("behavior.online", value).with("behavior.offline", "never")).behavior.online
    }

    @Test func everyForm() throws {
        #expect(try online("never") == .never)
        #expect(try online(["constant": "50ms"]) == .constant(.milliseconds(50)))
        #expect(try online(["uniform": ["2s", "30s"]]) == .uniform(.seconds(2), .seconds(30)))
        #expect(try online(["uniform": ["0s", "30s"]]) == .uniform(.zero, .seconds(30)))
        #expect(try online(["uniform": ["5s", "5s"]]) == .uniform(.seconds(5), .seconds(5)))
        #expect(try online(["exponential": "30m"]) == .exponential(mean: .minutes(30)))
        #expect(
            try online(["lognormal": ["median": "1m", "p99": "30m"]])
                == .lognormal(median: .minutes(1), p99: .minutes(30)))
        #expect(
            try online(["lognormal": ["p99": "1m", "median": "1m"]])
                == .lognormal(median: .minutes(1), p99: .minutes(1)))
    }

    @Test func errorsOfEachForm() {
        let base = minimalScenario.with("behavior.offline", "never")
        func check(_ value: JSONValue, _ path: String, _ fragment: String, hint: String? = nil) {
            expectError(base.with("behavior.online", value), at: path, fragment, hint: hint)
        }
        check("2h", "behavior.online", "found \"2h\"", hint: #"{"constant": "2h"}"#)
        check("Never", "behavior.online", "found \"Never\"")
        check(20, "behavior.online", "found the number 20", hint: "the forms are")
        check([:], "behavior.online", "found an empty object")
        check(
            ["constant": "1s", "uniform": ["1s", "2s"]], "behavior.online",
            "exactly one form, found 'constant' and 'uniform'")
        check(["exponental": "1h"], "behavior.online.exponental", "did you mean 'exponential'?")
        check(["constant": "0s"], "behavior.online.constant", "greater than 0")
        check(["constant": 5], "behavior.online.constant", "found the number 5")
        check(["uniform": ["30s", "2s"]], "behavior.online.uniform", "low <= high", hint: #"["2s", "30s"]"#)
        check(["uniform": ["2s"]], "behavior.online.uniform", "two durations [low, high]")
        check(["uniform": "2s"], "behavior.online.uniform", "found \"2s\"")
        check(["uniform": ["2s", 30]], "behavior.online.uniform[1]", "found the number 30")
        check(["uniform": ["0s", "0s"]], "behavior.online.uniform[1]", "greater than 0")
        check(["exponential": "0s"], "behavior.online.exponential", "greater than 0")
        check(["exponential": ["mean": "1h"]], "behavior.online.exponential", "found an object")
        check(["lognormal": ["median": "30m", "p99": "1m"]], "behavior.online.lognormal", "median <= p99")
        check(["lognormal": ["median": "1m"]], "behavior.online.lognormal.p99", "required key is missing")
        check(["lognormal": ["median": "0s", "p99": "1m"]], "behavior.online.lognormal.median", "greater than 0")
        check(["lognormal": ["median": "1m", "p90": "1h"]], "behavior.online.lognormal.p90", "did you mean 'p99'?")
    }

    @Test func latencyAllowsZeroButNotNever() throws {
        let zero = try load(minimalScenario.with("network.latency", ["constant": "0ms"]))
        #expect(zero.network.latency == .constant(.zero))
        let uniform = try load(minimalScenario.with("network.latency", ["uniform": ["0ms", "0ms"]]))
        #expect(uniform.network.latency == .uniform(.zero, .zero))
        expectError(
            minimalScenario.with("network.latency", "never"), at: "network.latency", "found \"never\"",
            hint: "not allowed")
        expectError(
            minimalScenario.with("network.latency", ["exponential": "0ms"]), at: "network.latency.exponential",
            "greater than 0")
    }

    @Test func roomSizes() throws {
        #expect(try load(minimalScenario.with("rooms.size", 5)).rooms.size == .constant(5))
        #expect(try load(minimalScenario.with("rooms.size", ["constant": 5])).rooms.size == .constant(5))
        #expect(try load(minimalScenario.with("rooms.size", ["uniform": [2, 8]])).rooms.size == .uniform(2, 8))
        #expect(try load(minimalScenario.with("rooms.size", ["uniform": [1, 5000]])).rooms.size == .uniform(1, 5000))
        expectError(
            minimalScenario.with("rooms.size", 0), at: "rooms.size", "between 1 and 1000000, found the number 0")
        expectError(minimalScenario.with("rooms.size", 1_000_001), at: "rooms.size", "between 1 and 1000000")
        expectError(minimalScenario.with("rooms.size", 2.5), at: "rooms.size", "found the number 2.5")
        expectError(minimalScenario.with("rooms.size", ["uniform": [8, 2]]), at: "rooms.size.uniform", "low <= high")
        expectError(
            minimalScenario.with("rooms.size", ["uniform": [0, 2]]), at: "rooms.size.uniform[0]",
            "between 1 and 1000000")
        expectError(minimalScenario.with("rooms.size", ["uniform": [2]]), at: "rooms.size.uniform", "two bounds")
        expectError(
            minimalScenario.with("rooms.size", ["unifrom": [2, 8]]), at: "rooms.size.unifrom", "did you mean 'uniform'?"
        )
        expectError(minimalScenario.with("rooms.size", "4"), at: "rooms.size", "found \"4\"")
        expectError(minimalScenario.with("rooms", ["sizes": 4]), at: "rooms.sizes", "did you mean 'size'?")
        #expect(errors(minimalScenario.with("rooms", ["sizes": 4])).count == 1)
    }

    @Test func episodes() throws {
        let scenario = try load(
            minimalScenario.with("behavior.idle", ["every": ["exponential": "10m"], "for": "never"]))
        #expect(scenario.behavior.idle == Episodes(every: .exponential(mean: .minutes(10)), duration: .never))
        expectError(
            minimalScenario.with("behavior.idle", ["every": ["exponential": "10m"]]), at: "behavior.idle.for",
            "required key is missing")
        expectError(
            minimalScenario.with("behavior.hidden", ["every": ["constant": "0s"], "for": ["constant": "1m"]]),
            at: "behavior.hidden.every.constant", "greater than 0")
        expectError(
            minimalScenario.with("behavior.hidden", ["every": 60, "for": ["constant": "1m"]]),
            at: "behavior.hidden.every", "found the number 60")
    }
}

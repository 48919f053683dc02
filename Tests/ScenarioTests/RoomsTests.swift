import Foundation
import PresenceCore
import Testing

@testable import Scenario

/// `rooms.perClient` and the heavy-tailed room sizes: reading, defaults and errors.
@Suite struct RoomsTests {
    @Test func perClientDefaultsToOne() throws {
        let rooms = try load(minimalScenario).rooms
        #expect(rooms.perClient == .constant(1))
        #expect(rooms.isPartition)
    }

    @Test func everyCountForm() throws {
        func rooms(_ size: JSONValue, perClient: JSONValue = 1) throws -> Rooms {
            try load(minimalScenario.with("rooms.size", size).with("rooms.perClient", perClient)).rooms
        }
        #expect(
            try rooms(["zipf": ["exponent": 1.1, "min": 2, "max": 50000]]).size
                == .zipf(exponent: 1.1, min: 2, max: 50000))
        #expect(try rooms(["lognormal": ["median": 6, "p99": 2000]]).size == .lognormal(median: 6, p99: 2000))
        #expect(try rooms(4, perClient: ["uniform": [1, 10]]).perClient == .uniform(1, 10))
        #expect(
            try rooms(4, perClient: ["zipf": ["exponent": 2, "min": 1, "max": 20]]).perClient
                == .zipf(exponent: 2, min: 1, max: 20))
        #expect(try !rooms(4, perClient: 3).isPartition)
    }

    @Test func badCountsAreErrors() {
        func check(_ key: String, _ value: JSONValue, at path: String, _ fragment: String, hint: String? = nil) {
            expectError(minimalScenario.with(key, value), at: path, fragment, hint: hint)
        }
        check("rooms.size", ["zipf": ["exponent": 1.1, "min": 50, "max": 2]], at: "rooms.size.zipf", "min <= max")
        check(
            "rooms.size", ["zipf": ["exponent": 0, "min": 2, "max": 50]], at: "rooms.size.zipf.exponent",
            "a positive number")
        check(
            "rooms.size", ["zipf": ["exponent": -1, "min": 2, "max": 50]], at: "rooms.size.zipf.exponent",
            "a positive number")
        check(
            "rooms.size", ["zipf": ["exponent": 1.1, "min": 2]], at: "rooms.size.zipf.max", "required key is missing")
        check(
            "rooms.size", ["zipf": ["exponent": 1.1, "min": 2, "max": 9, "mean": 3]], at: "rooms.size.zipf.mean",
            "unknown key")
        check("rooms.size", ["lognormal": ["median": 60, "p99": 20]], at: "rooms.size.lognormal", "median <= p99")
        check("rooms.size", ["lognormal": ["median": 0.5, "p99": 20]], at: "rooms.size.lognormal.median", "between 1")
        check("rooms.size", ["zipff": ["exponent": 1]], at: "rooms.size.zipff", "did you mean 'zipf'?")
        check("rooms.perClient", 0, at: "rooms.perClient", "a number of rooms between 1 and 10000")
        check("rooms.perClient", ["uniform": [5, 1]], at: "rooms.perClient.uniform", "low <= high")
        check("rooms.perClient", "3", at: "rooms.perClient", "found \"3\"")
        check("rooms.perClinet", 3, at: "rooms.perClinet", "did you mean 'perClient'?")
    }

    /// The estimate's moments: the mean and mean square of the capped, truncated distributions.
    @Test func momentsFollowTheDistribution() {
        let constant = CountDistribution.constant(10).moments(cap: 4)
        #expect(constant.mean == 4 && constant.meanSquare == 16)
        let uniform = CountDistribution.uniform(1, 3).moments(cap: .max)
        #expect(uniform.mean == 2 && abs(uniform.meanSquare - 14.0 / 3) < 1e-12)
        // Zipf with exponent 1 on 1…2: weights 1 and 1/2.
        let zipf = CountDistribution.zipf(exponent: 1, min: 1, max: 2).moments(cap: .max)
        #expect(abs(zipf.mean - 4.0 / 3) < 1e-12)
        // A wide log-normal: the untruncated mean is median × e^(σ²/2).
        let lognormal = CountDistribution.lognormal(median: 100, p99: 1000).moments(cap: .max)
        let sigma = log(10.0) / 2.326_347_874_040_840_8
        #expect(abs(lognormal.mean / (100 * exp(sigma * sigma / 2)) - 1) < 0.01)
    }

    /// A resolved scenario reads back equal, and one room per client leaves the key out.
    @Test func roundTrips() throws {
        let scenario = try load(
            minimalScenario.with("rooms.size", ["zipf": ["exponent": 1.5, "min": 2, "max": 500]])
                .with("rooms.perClient", ["uniform": [1, 4]]))
        #expect(try load(scenario.resolvedJSON()) == scenario)
        let plain = try load(minimalScenario)
        guard case .object(let members) = plain.resolvedJSON(), let rooms = members.first(where: { $0.key == "rooms" })
        else {
            Issue.record("no rooms in the resolved scenario")
            return
        }
        #expect(rooms.value == ["size": 4])
    }

    /// `rooms.threads`: read, round-tripped, and its errors named by path.
    @Test func threads() throws {
        let scenario = try load(
            minimalScenario.with("rooms.threads", ["size": ["uniform": [2, 6]], "perClient": ["uniform": [0, 3]]]))
        #expect(scenario.rooms.threads == Rooms.Threads(size: .uniform(2, 6), perClient: .uniform(0, 3)))
        #expect(!scenario.rooms.isPartition && scenario.rooms.perClient == .constant(1))
        #expect(try load(scenario.resolvedJSON()) == scenario)
        #expect(try load(minimalScenario.with("rooms.threads", ["size": 3, "perClient": 0])).rooms.threads != nil)

        func check(_ value: JSONValue, at path: String, _ fragment: String) {
            expectError(minimalScenario.with("rooms.threads", value), at: path, fragment)
        }
        check(["size": 3], at: "rooms.threads.perClient", "required key is missing")
        check(["perClient": 1], at: "rooms.threads.size", "required key is missing")
        check(["size": 0, "perClient": 1], at: "rooms.threads.size", "a thread size between 1 and 1000000")
        check(["size": 3, "perClient": -1], at: "rooms.threads.perClient", "a number of threads between 0 and 10000")
        check(
            ["size": 3, "perClient": ["zipf": ["exponent": 1.1, "min": 0, "max": 4]]],
            at: "rooms.threads.perClient.zipf.min", "between 1 and 10000")
        check(["size": 3, "perClinet": 1], at: "rooms.threads.perClinet", "did you mean 'perClient'?")
        check(3, at: "rooms.threads", "an object like")
    }
}

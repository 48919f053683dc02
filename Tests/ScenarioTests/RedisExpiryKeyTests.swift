import Foundation
import PresenceCore
import Testing

@testable import Scenario

/// `protocol.expiry` "redis" and its knobs.
@Suite struct RedisExpiryKeyTests {
    @Test func formsAndDefaults() throws {
        #expect(try load(minimalScenario.with("protocol.expiry", "redis")).presence.expiry == .redis(RedisExpiry()))
        #expect(
            try load(minimalScenario.with("protocol.expiry", ["redis": [:]])).presence.expiry == .redis(RedisExpiry()))
        let tuned = try load(minimalScenario.with("protocol.expiry", ["redis": ["hz": 50, "effort": 4]]))
        #expect(tuned.presence.expiry == .redis(RedisExpiry(hz: 50, effort: 4)))
        // The resolved scenario says "redis" for the defaults and spells tuned knobs out; both read back.
        #expect(tuned.resolvedJSON()["protocol"]?["expiry"] == ["redis": ["hz": 50, "effort": 4]])
        let plain = try load(minimalScenario.with("protocol.expiry", "redis"))
        #expect(plain.resolvedJSON()["protocol"]?["expiry"] == "redis")
        #expect(try load(tuned.resolvedJSON()).presence.expiry == tuned.presence.expiry)
    }

    @Test func badKnobs() {
        expectError(
            minimalScenario.with("protocol.expiry", ["redis": ["hz": 0]]), at: "protocol.expiry.redis.hz",
            "expected a whole number of cycles a second between 1 and 500, found the number 0")
        expectError(
            minimalScenario.with("protocol.expiry", ["redis": ["hz": 501]]), at: "protocol.expiry.redis.hz",
            "found the number 501")
        expectError(
            minimalScenario.with("protocol.expiry", ["redis": ["effort": "3"]]), at: "protocol.expiry.redis.effort",
            "between 1 and 10, found \"3\"", hint: "without quotes: 3")
        expectError(
            minimalScenario.with("protocol.expiry", ["redis": ["effort": 11]]), at: "protocol.expiry.redis.effort",
            "found the number 11")
        expectError(
            minimalScenario.with("protocol.expiry", ["redis": ["hzz": 5]]), at: "protocol.expiry.redis.hzz",
            "did you mean 'hz'?")
        expectError(
            minimalScenario.with("protocol.expiry", ["reddis": [:]]), at: "protocol.expiry.reddis",
            "did you mean 'redis'?")
        expectError(
            minimalScenario.with("protocol.expiry", ["redis": 10]), at: "protocol.expiry.redis",
            "expected an object like {\"hz\": 10, \"effort\": 1}, found the number 10")
        expectError(
            minimalScenario.with("protocol.expiry", "Redis"), at: "protocol.expiry", "or \"redis\"",
            hint: "write \"redis\" in lower case")
    }

    /// `--set` and sweeps reach the knobs like any other key.
    @Test func overridesReachTheKnobs() throws {
        let whole = try load(
            minimalScenario, overrides: [try Override.parse("protocol.expiry={\"redis\": {\"hz\": 20}}")])
        #expect(whole.presence.expiry == .redis(RedisExpiry(hz: 20)))
        let nested = try load(
            minimalScenario.with("protocol.expiry", ["redis": [:]]),
            overrides: [try Override.parse("protocol.expiry.redis.effort=2")])
        #expect(nested.presence.expiry == .redis(RedisExpiry(effort: 2)))
    }
}

import PresenceCore
import Testing

@testable import Scenario

@Suite struct DesignDefaultsTests {
    private func presence(_ design: String, _ extra: [(String, JSONValue)] = []) throws -> PresenceProtocol {
        var document = minimalScenario.with("protocol.design", .string(design))
        for (key, value) in extra { document = document.with("protocol." + key, value) }
        return try load(document).presence
    }

    @Test func socketioRedis() throws {
        let value = try presence("socketio-redis")
        #expect(value.design == .socketioRedis)
        #expect(value.heartbeat == .seconds(20))
        #expect(value.ttl == .seconds(60))
        #expect(value.expiry == .off)
        #expect(value.delivery == .push)
        #expect(value.userPoll == nil)
        #expect(value.userPollBatch == 100)
        #expect(value.typingPoll == nil)
        #expect(value.pingInterval == .seconds(25))
        #expect(value.pingTimeout == .seconds(20))
        #expect(value.leaveOnDisconnect == true)
        #expect(value.away == nil)
        #expect(value.awayOnHidden == false)
        #expect(value.offlineOnLeave == false)
        #expect(value.roomSetTTL == nil)
        #expect(value.typingStop == .milliseconds(1500))
        #expect(value.typingThrottle == .zero)
        #expect(value.typingTTL == nil)
        #expect(value.leaveGrace == .zero)
        #expect(value.batch == .zero)
        #expect(value.reconnect == Reconnect(initial: .seconds(1), max: .seconds(5), multiplier: 2, jitter: 0.5))
        #expect(value.payloadBytes == 40)
        #expect(value == PresenceProtocol.defaults(for: .socketioRedis))
    }

    @Test func httpPolling() throws {
        let value = try presence("http-polling")
        #expect(value.design == .httpPolling)
        #expect(value.heartbeat == .seconds(30))
        #expect(value.ttl == .seconds(60))
        #expect(value.expiry == .off)
        #expect(value.delivery == .poll(.seconds(10)))
        #expect(value.userPoll == .seconds(30))
        #expect(value.userPollBatch == 100)
        #expect(value.typingPoll == .seconds(2))
        #expect(value.pingInterval == nil)
        #expect(value.pingTimeout == .zero)
        #expect(value.leaveOnDisconnect == false)
        #expect(value.away == .minutes(5))
        #expect(value.awayOnHidden == true)
        #expect(value.offlineOnLeave == true)
        #expect(value.roomSetTTL == .minutes(10))
        #expect(value.typingStop == .seconds(3))
        #expect(value.typingThrottle == .zero)
        #expect(value.typingTTL == nil)
        #expect(value.leaveGrace == .zero)
        #expect(value.batch == .zero)
        #expect(value.reconnect == Reconnect(initial: .zero, max: .zero, multiplier: 1, jitter: 0))
        #expect(value.payloadBytes == 120)
        #expect(value == PresenceProtocol.defaults(for: .httpPolling))
    }

    @Test func ttlEntries() throws {
        let value = try presence("ttl-entries")
        #expect(value.design == .ttlEntries)
        #expect(value.heartbeat == .seconds(10))
        #expect(value.ttl == .seconds(30))
        #expect(value.expiry == .exact)
        #expect(value.delivery == .push)
        #expect(value.userPoll == nil)
        #expect(value.userPollBatch == 100)
        #expect(value.typingPoll == nil)
        #expect(value.pingInterval == .seconds(25))
        #expect(value.pingTimeout == .seconds(20))
        #expect(value.leaveOnDisconnect == false)
        #expect(value.away == nil)
        #expect(value.awayOnHidden == false)
        #expect(value.offlineOnLeave == false)
        #expect(value.roomSetTTL == nil)
        #expect(value.typingStop == .seconds(3))
        #expect(value.typingThrottle == .seconds(1))
        #expect(value.typingTTL == .seconds(5))
        #expect(value.leaveGrace == .zero)
        #expect(value.batch == .zero)
        #expect(value.reconnect == Reconnect(initial: .seconds(1), max: .seconds(10), multiplier: 2, jitter: 0))
        #expect(value.payloadBytes == 30)
        #expect(value == PresenceProtocol.defaults(for: .ttlEntries))
    }

    @Test func everyKnobCanBeOverridden() throws {
        let value = try presence(
            "socketio-redis",
            [
                ("heartbeat", "5s"), ("ttl", "12s"), ("expiry", "2s"), ("delivery", "3s"), ("userPoll", "1m"),
                ("userPollBatch", 7), ("typingPoll", "500ms"), ("pingInterval", "off"), ("pingTimeout", "1s"),
                ("leaveOnDisconnect", false), ("away", "2m"), ("awayOnHidden", true), ("offlineOnLeave", true),
                ("roomSetTTL", "3x"), ("typingStop", "2s"), ("typingThrottle", "100ms"), ("typingTTL", "4s"),
                ("leaveGrace", "15s"), ("batch", "1.5s"),
                ("reconnect", ["initial": "2s", "max": "8s", "multiplier": 1.5, "jitter": 0.1]),
                ("payloadBytes", 65536),
            ])
        #expect(value.heartbeat == .seconds(5))
        #expect(value.ttl == .seconds(12))
        #expect(value.expiry == .sweep(.seconds(2)))
        #expect(value.delivery == .poll(.seconds(3)))
        #expect(value.userPoll == .minutes(1))
        #expect(value.userPollBatch == 7)
        #expect(value.typingPoll == .milliseconds(500))
        #expect(value.pingInterval == nil)
        #expect(value.pingTimeout == .seconds(1))
        #expect(value.leaveOnDisconnect == false)
        #expect(value.away == .minutes(2))
        #expect(value.awayOnHidden == true)
        #expect(value.offlineOnLeave == true)
        #expect(value.roomSetTTL == .seconds(36))
        #expect(value.typingStop == .seconds(2))
        #expect(value.typingThrottle == .milliseconds(100))
        #expect(value.typingTTL == .seconds(4))
        #expect(value.leaveGrace == .seconds(15))
        #expect(value.batch == .milliseconds(1500))
        #expect(value.reconnect == Reconnect(initial: .seconds(2), max: .seconds(8), multiplier: 1.5, jitter: 0.1))
        #expect(value.payloadBytes == 65536)
    }

    @Test func keywordsTurnKnobsOff() throws {
        let polling = try presence(
            "http-polling",
            [
                ("userPoll", "off"), ("typingPoll", "off"), ("away", "never"), ("roomSetTTL", "off"),
                ("expiry", "exact"), ("delivery", "push"),
            ])
        #expect(polling.userPoll == nil)
        #expect(polling.typingPoll == nil)
        #expect(polling.away == nil)
        #expect(polling.roomSetTTL == nil)
        #expect(polling.expiry == .exact)
        #expect(polling.delivery == .push)
        let entries = try presence("ttl-entries", [("typingTTL", "never"), ("expiry", "off")])
        #expect(entries.typingTTL == nil)
        #expect(entries.expiry == .off)
    }

    @Test func partialReconnectKeepsTheDesignDefaults() throws {
        let value = try presence("socketio-redis", [("reconnect", ["max": "30s"])])
        #expect(value.reconnect == Reconnect(initial: .seconds(1), max: .seconds(30), multiplier: 2, jitter: 0.5))
        expectError(
            minimalScenario.with("protocol.reconnect", ["max": "500ms"]), at: "protocol.reconnect.max",
            "expected max >= initial, found initial \"1s\" and max \"500ms\"")
        expectError(
            minimalScenario.with("protocol.reconnect", ["multiplier": 0.5]), at: "protocol.reconnect.multiplier",
            "at least 1")
        expectError(
            minimalScenario.with("protocol.reconnect", ["jitter": 2]), at: "protocol.reconnect.jitter",
            "share between 0 and 1")
    }

    @Test func ttlMultiplesUseTheResolvedHeartbeat() throws {
        #expect(try presence("socketio-redis", [("ttl", "3x")]).ttl == .seconds(60))
        #expect(try presence("ttl-entries", [("ttl", "3x")]).ttl == .seconds(30))
        #expect(try presence("socketio-redis", [("heartbeat", "10s"), ("ttl", "2.5x")]).ttl == .seconds(25))
        #expect(try presence("socketio-redis", [("heartbeat", "30s"), ("ttl", "20s")]).ttl == .seconds(20))
        expectError(
            minimalScenario.with("protocol.ttl", "0x"), at: "protocol.ttl", "multiple of the heartbeat greater than 0")
        expectError(minimalScenario.with("protocol.ttl", "-2x"), at: "protocol.ttl", "found \"-2x\"", hint: "positive")
        expectError(minimalScenario.with("protocol.ttl", "x"), at: "protocol.ttl", "found \"x\"")
        expectError(minimalScenario.with("protocol.ttl", "-60s"), at: "protocol.ttl", "greater than 0")
        expectError(minimalScenario.with("protocol.ttl", "999999999x"), at: "protocol.ttl", "longer than the longest")
        // An invalid heartbeat is reported once; the multiple is not reported again.
        expectError(
            minimalScenario.with("protocol.heartbeat", "soon").with("protocol.ttl", "3x"), at: "protocol.heartbeat",
            "found \"soon\"")
    }

    @Test func roomSetTTLFollowsTheResolvedTTL() throws {
        #expect(try presence("http-polling", [("ttl", "30s")]).roomSetTTL == .seconds(300))
        #expect(try presence("http-polling", [("heartbeat", "10s"), ("ttl", "3x")]).roomSetTTL == .seconds(300))
        #expect(try presence("http-polling", [("roomSetTTL", "2x")]).roomSetTTL == .seconds(120))
        #expect(try presence("http-polling", [("roomSetTTL", "1h")]).roomSetTTL == .hours(1))
        #expect(try presence("socketio-redis", [("roomSetTTL", "10x")]).roomSetTTL == .seconds(600))
    }

    @Test func designErrors() {
        let error = expectError(
            minimalScenario.with("protocol.design", "socketio"), at: "protocol.design",
            #"expected one of "socketio-redis", "http-polling" or "ttl-entries", found "socketio""#)
        #expect(error?.hint == #"did you mean "socketio-redis"?"#)
        expectError(
            minimalScenario.with("protocol", ["heartbeat": "10s"]), at: "protocol.design", "required key is missing")
        expectError(minimalScenario.with("protocol", "socketio-redis"), at: "protocol", "found \"socketio-redis\"")
        expectError(
            minimalScenario.with("protocol.payloadBytes", 70000), at: "protocol.payloadBytes", "between 0 and 65536")
        expectError(
            minimalScenario.with("protocol.userPollBatch", 0), at: "protocol.userPollBatch", "between 1 and 100000")
        expectError(
            minimalScenario.with("protocol.leaveOnDisconnect", "true"), at: "protocol.leaveOnDisconnect",
            "true or false", hint: "without quotes")
    }
}

import PresenceCore
import Scenario
import Simulation
import Testing

private let steady = #"{"online": "never", "offline": "never"}"#

/// The exact Redis commands each design issues for what its server did, at 20× (a 60 s TTL is `PX 3000`).
/// Rooms of three: clients 0, 1, 2 share room 0.
@Suite struct RedisCommandsTests {
    private struct Mapped {
        var server: ServerDriver
        let commands: RedisCommands

        init(_ design: String, _ knobs: String = "") throws {
            try self.init(try handScenario(design: design, protocol: knobs, behavior: steady))
        }

        init(_ scenario: Scenario) throws {
            server = ServerDriver(scenario)
            commands = try #require(
                RedisCommands(
                    settings: ModelSettings(scenario: scenario), population: server.population, keyPrefix: "t:"))
        }

        /// The requests for `input`, handled at `seconds`.
        mutating func requests(_ input: ServerInput, at seconds: Double) -> [StoreRequest] {
            let effects = server.handle(input, at: seconds)
            return commands.requests(for: input, effects: effects, now: instant(seconds), speed: 20)
        }

        mutating func message(_ client: Int, _ message: Uplink, at seconds: Double) -> [StoreRequest] {
            requests(.message(from: cid(client), message), at: seconds)
        }
    }

    private static let valueA = #"{"familyId":"0","name":"user 0"}"#

    /// Design A: connect writes the set and the key and paints from the set; a ping rewrites the key; a
    /// disconnect removes the user from the set; typing is relayed without touching Redis; a heartbeat on no
    /// open socket sends nothing.
    @Test func socketIORedisIssuesTheSeedsCommands() throws {
        var mapped = try Mapped("socketio-redis")
        #expect(
            mapped.message(0, .connect(1), at: 10) == [
                .pipeline([
                    ["SADD", "t:presence:family:0", "0"], ["SET", "t:presence:user:0", Self.valueA, "PX", "3000"],
                    ["SMEMBERS", "t:presence:family:0"],
                ])
            ])
        #expect(
            mapped.message(0, .heartbeat(.online, room: nil), at: 20) == [
                .pipeline([["SET", "t:presence:user:0", Self.valueA, "PX", "3000"]])
            ])
        #expect(mapped.message(0, .typing(rid(0), true), at: 21).isEmpty)
        #expect(mapped.message(1, .heartbeat(.online, room: nil), at: 22).isEmpty)
        #expect(mapped.message(0, .close(1), at: 30) == [.pipeline([["SREM", "t:presence:family:0", "0"]])])
    }

    /// With threads (of 2: client 0 follows thread 2 with client 1), design A's connect adds the user to its
    /// family alone and paints the family; design B keeps typing keys, and polls them, per thread.
    @Test func threadsHoldNoPresence() throws {
        func mapped(_ design: String) throws -> Mapped {
            try Mapped(
                try scenario(
                    #"{"name": "threads", "duration": "1h", "clients": 6,"#
                        + #" "rooms": {"size": 3, "threads": {"size": 2, "perClient": 1}},"#
                        + #" "protocol": {"design": "\#(design)"}, "behavior": \#(steady)}"#))
        }
        var a = try mapped("socketio-redis")
        #expect(Array(a.server.population.rooms(of: cid(0))) == [rid(0), rid(2)])
        #expect(
            a.message(0, .connect(1), at: 10) == [
                .pipeline([
                    ["SADD", "t:presence:family:0", "0"], ["SET", "t:presence:user:0", Self.valueA, "PX", "3000"],
                    ["SMEMBERS", "t:presence:family:0"],
                ])
            ])
        #expect(a.message(0, .close(1), at: 30) == [.pipeline([["SREM", "t:presence:family:0", "0"]])])
        var b = try mapped("http-polling")
        #expect(
            b.message(0, .typing(rid(2), true), at: 10) == [.pipeline([["SET", "t:typing:2:0", "1", "PX", "150"]])])
        #expect(b.message(0, .pollTyping(rid(2)), at: 11) == [.pipeline([["MGET", "t:typing:2:1"]])])
    }

    /// Design A's expired-key worker: each sweep scans a page of the family sets, and takes each user whose
    /// key expired out of its set.
    @Test func socketIORedisWorkerScansAndCleansTheSet() throws {
        var mapped = try Mapped("socketio-redis", #""expiry": "30s""#)
        _ = mapped.message(0, .connect(1), at: 1)
        let scan = ["SCAN", "0", "MATCH", "t:presence:family:*", "COUNT", "1000"]
        #expect(mapped.requests(.timer(.sweep, tag: 0), at: 30) == [.pipeline([scan])])
        #expect(
            mapped.requests(.timer(.sweep, tag: 0), at: 90) == [
                .pipeline([scan, ["SREM", "t:presence:family:0", "0"]])
            ])
    }

    /// Design B: heartbeats and beacons write the status with a TTL; the room set is joined with its 10×
    /// TTL expiry and left with SREM; the room poll reads the set and then each member's key; the user poll
    /// pipelines one GET per other member; typing is a key per typist, polled with one MGET.
    @Test func httpPollingIssuesTheSeedsCommands() throws {
        var mapped = try Mapped("http-polling")
        let value = { (status: String, ms: Int) in
            #"{"odId":"0","name":"user 0","status":"\#(status)","lastSeen":\#(ms)}"#
        }
        #expect(
            mapped.message(0, .heartbeat(.online, room: nil), at: 10) == [
                .pipeline([["SET", "t:presence:0", value("online", 10_000), "PX", "3000"]])
            ])
        #expect(
            mapped.message(0, .beacon(.offline), at: 11.5) == [
                .pipeline([["SET", "t:presence:0", value("offline", 11_500), "PX", "3000"]])
            ])
        #expect(
            mapped.message(0, .joinRoom(rid(0)), at: 12) == [
                .pipeline([["SADD", "t:room:0", "0"], ["PEXPIRE", "t:room:0", "30000"]])
            ])
        #expect(
            mapped.message(0, .pollRoom(rid(0)), at: 13) == [.membersThenGet(set: "t:room:0", keyPrefix: "t:presence:")]
        )
        #expect(
            mapped.message(0, .pollUsers(rid(0), requests: 1), at: 14) == [
                .pipeline([["GET", "t:presence:1"], ["GET", "t:presence:2"]])
            ])
        #expect(
            mapped.message(0, .typing(rid(0), true), at: 15) == [
                .pipeline([["SET", "t:typing:0:0", "1", "PX", "150"]])
            ])
        #expect(mapped.message(0, .typing(rid(0), false), at: 16) == [.pipeline([["DEL", "t:typing:0:0"]])])
        #expect(
            mapped.message(0, .pollTyping(rid(0)), at: 17) == [.pipeline([["MGET", "t:typing:0:1", "t:typing:0:2"]])])
        #expect(mapped.message(0, .leaveRoom(rid(0)), at: 18) == [.pipeline([["SREM", "t:room:0", "0"]])])
    }

    /// Design C keeps its entries in its own server: there is nothing to send to Redis.
    @Test func ttlEntriesHasNoRedisCommands() throws {
        let scenario = try handScenario(design: "ttl-entries", behavior: steady)
        #expect(
            RedisCommands(
                settings: ModelSettings(scenario: scenario), population: Population(scenario: scenario), keyPrefix: "t:"
            )
                == nil)
        #expect(!RedisCommands.keepsPresenceInRedis(.ttlEntries))
    }
}

import PresenceCore
import Scenario
import Simulation
import Testing

/// The store's view of a client is what the design's own read returns, not whether some key exists:
/// A — membership of the family set (the initial paint's `SMEMBERS`); B — the room read (set members
/// whose key still exists, with the key's status); C — the live entries. The key's own lifetime is kept
/// beside it (`staleness.store.key`). Rooms of three: clients 0, 1, 2 share room 0.
@Suite struct StoreReadPathTests {
    /// Design A: the set holds a user from connect to disconnect; the key lives 60 s past each ping.
    @Test func socketIORedisReadsTheFamilySet() throws {
        var server = try server("socketio-redis")
        server.message(0, .connect(1), at: 10)
        server.message(0, .heartbeat(.online, room: nil), at: 30)
        // The set has no TTL: the read shows the user for as long as it stays in it.
        #expect(server.readShows(0, at: 10_000))
        #expect(server.keyExists(0, at: 89.9) && !server.keyExists(0, at: 90))
        // A clean close is an `SREM`: the read turns offline at once, while the key lingers.
        server.message(0, .close(1), at: 40)
        #expect(!server.readShows(0, at: 40))
        #expect(server.keyExists(0, at: 89))
        // A client that vanishes stays in the set after its key expires: a ghost the read returns.
        server.message(1, .connect(1), at: 10)
        #expect(!server.keyExists(1, at: 71) && server.readShows(1, at: 10_000))
    }

    /// Design A with the expired-key worker: the sweep that finds the expired key cleans the set too.
    @Test func socketIORedisWorkerCleansTheReadWhenTheKeyExpires() throws {
        var server = try server("socketio-redis", #""expiry": "30s""#)
        _ = server.start()
        server.message(1, .connect(1), at: 10)
        server.handle(.timer(.sweep, tag: 0), at: 60)
        #expect(server.readShows(1, at: 60))
        server.handle(.timer(.sweep, tag: 0), at: 90)
        #expect(!server.readShows(1, at: 90) && !server.keyExists(1, at: 90))
    }

    /// Design B: the read needs both the membership and a live key with a present status; an offline
    /// beacon is stored as a status, so the read turns offline while the key lives on.
    @Test func httpPollingReadsMembersWithALiveKey() throws {
        var server = try server("http-polling")
        server.message(0, .joinRoom(rid(0)), at: 0)
        server.message(0, .heartbeat(.online, room: nil), at: 0)
        #expect(server.readShows(0, at: 59.9) && !server.readShows(0, at: 60))
        server.message(0, .beacon(.offline), at: 5)
        #expect(!server.readShows(0, at: 5) && server.keyExists(0, at: 64.9))
        server.message(0, .heartbeat(.online, room: nil), at: 10)
        #expect(server.readShows(0, at: 10))
        // Leaving the room takes the user out of the read; its key is untouched.
        server.message(0, .leaveRoom(rid(0)), at: 20)
        #expect(!server.readShows(0, at: 20) && server.keyExists(0, at: 69))
        // A heartbeat alone does not make a non-member appear.
        server.message(1, .heartbeat(.online, room: nil), at: 21)
        #expect(!server.readShows(1, at: 21) && server.keyExists(1, at: 21))
    }

    /// Design B's room set expires 10 × TTL after the last join and heartbeats do not refresh it: the read
    /// drops everyone then, however alive their keys (the seed's behaviour), and a later join of another
    /// member does not bring them back.
    @Test func httpPollingRoomSetExpiresUnderLiveKeys() throws {
        var server = try server("http-polling")
        server.message(0, .joinRoom(rid(0)), at: 0)
        for beat in stride(from: 0.0, through: 570, by: 30) {
            server.message(0, .heartbeat(.online, room: nil), at: beat)
        }
        #expect(server.readShows(0, at: 599.9) && !server.readShows(0, at: 600.1))
        for beat in stride(from: 600.0, through: 660, by: 30) {
            server.message(0, .heartbeat(.online, room: nil), at: beat)
        }
        #expect(!server.readShows(0, at: 660) && server.keyExists(0, at: 700))
        server.message(1, .joinRoom(rid(0)), at: 610)
        server.message(0, .heartbeat(.online, room: nil), at: 690)
        #expect(!server.readShows(0, at: 690))
    }

    /// Design B: a join refreshes the whole set's expiry, so every member's read moves with it.
    @Test func httpPollingJoinRefreshesEveryMembersRead() throws {
        var server = try server("http-polling")
        server.message(0, .joinRoom(rid(0)), at: 0)
        server.message(1, .joinRoom(rid(0)), at: 300)
        for beat in stride(from: 300.0, through: 900, by: 30) {
            server.message(0, .heartbeat(.online, room: nil), at: beat)
        }
        #expect(server.readShows(0, at: 899) && !server.readShows(0, at: 900.1))
    }

    /// Design C: the read is the live entries; `leave()` removes at once.
    @Test func ttlEntriesReadsTheLiveEntries() throws {
        var server = try server("ttl-entries")
        server.message(0, .connect(1), at: 0)
        server.message(0, .heartbeat(.online, room: rid(0)), at: 0)
        #expect(server.readShows(0, at: 29.9) && !server.readShows(0, at: 30))
        #expect(server.keyExists(0, at: 29.9) && !server.keyExists(0, at: 30))
        server.message(0, .leave(rid(0)), at: 10)
        #expect(!server.readShows(0, at: 10) && !server.keyExists(0, at: 10))
    }
}

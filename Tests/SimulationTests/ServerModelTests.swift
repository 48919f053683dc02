import PresenceCore
import Scenario
import Simulation
import Testing

/// The server logic of each design over the presence store, one input at a time. Rooms of three: clients
/// 0, 1, 2 share room 0; clients 3, 4, 5 room 1.
@Suite struct ServerModelTests {
    // MARK: Design A — socketio-redis

    /// Connect: the key is written with the TTL, the user added to the family set (a store operation
    /// each), `online` broadcast to the other connected members only, the first paint is the raw set and
    /// the transport's first ping is due one ping interval later.
    @Test func socketIORedisConnectWritesBroadcastsAndPaints() throws {
        var server = try server("socketio-redis")
        #expect(server.start().isEmpty)
        #expect(
            server.message(0, .connect(1), at: 10) == [
                .storeOps(1), .storeOps(1), .fanout(recipients: 0, room: rid(0), subject: cid(0)),
                .storeOps(1), .deliver(to: cid(0), .connected(1, snapshots: [view(0, [])])),
                .ping(cid(0), 1, at: instant(35)),
            ])
        #expect(
            server.message(1, .connect(1), at: 11) == [
                .storeOps(1), .storeOps(1),
                .deliver(to: cid(0), .presence(rid(0), entry(1, .online))),
                .fanout(recipients: 1, room: rid(0), subject: cid(1)),
                .storeOps(1), .deliver(to: cid(1), .connected(1, snapshots: [view(0, [entry(0, .online)])])),
                .ping(cid(1), 1, at: instant(36)),
            ])
        // Another room's members are not told.
        let other = server.message(3, .connect(1), at: 12)
        #expect(deliveries(in: other) == [.deliver(to: cid(3), .connected(1, snapshots: [view(1, [])]))])
        #expect(fanouts(in: other) == [0] && other.contains(.fanout(recipients: 0, room: rid(1), subject: cid(3))))
    }

    /// The client's ping rewrites the key and announces nothing, not even when the key had expired; a
    /// ping without an open socket is not heard.
    @Test func socketIORedisPingRefreshesTheKeySilently() throws {
        var server = try server("socketio-redis")
        server.message(0, .connect(1), at: 10)
        server.message(1, .connect(1), at: 11)
        #expect(
            server.message(0, .heartbeat(.online, room: nil), at: 30) == [
                .storeOps(1)
            ])
        #expect(
            server.message(0, .heartbeat(.online, room: nil), at: 200) == [
                .storeOps(1)
            ])
        #expect(server.message(2, .heartbeat(.online, room: nil), at: 30).isEmpty)
    }

    /// A clean close is seen at once: removed from the set, last seen written, `offline` to the others.
    @Test func socketIORedisCloseBroadcastsOffline() throws {
        var server = try server("socketio-redis")
        for client in 0..<3 { server.message(client, .connect(1), at: Double(client)) }
        #expect(
            server.message(1, .close(1), at: 20) == [
                .storeOps(1), .lastSeen(cid(1), instant(20)),
                .deliver(to: cid(0), .presence(rid(0), entry(1, .offline))),
                .deliver(to: cid(2), .presence(rid(0), entry(1, .offline))),
                .fanout(recipients: 2, room: rid(0), subject: cid(1)),
            ])
        // Closing again, or a ping on the closed socket, does nothing.
        #expect(server.message(1, .close(1), at: 21).isEmpty)
        #expect(server.message(1, .heartbeat(.online, room: nil), at: 21).isEmpty)
        #expect(server.handle(.ping(cid(1), 1, answered: true), at: 22).isEmpty)
        #expect(server.handle(.pingTimeout(cid(1), 1), at: 22).isEmpty)
        // The first paint reads the set: the closed client is not in it.
        let paint = server.message(1, .connect(2), at: 30)
        #expect(
            deliveries(in: paint).last
                == .deliver(to: cid(1), .connected(2, snapshots: [view(0, [entry(0, .online), entry(2, .online)])])))
    }

    /// Transport liveness: an answered ping schedules the next; an unanswered one arms the ping timeout,
    /// which disconnects like a close.
    @Test func socketIORedisPingTimeoutDisconnects() throws {
        var server = try server("socketio-redis")
        server.message(0, .connect(1), at: 10)
        server.message(1, .connect(1), at: 11)
        #expect(server.handle(.ping(cid(0), 1, answered: true), at: 35) == [.ping(cid(0), 1, at: instant(60))])
        #expect(server.handle(.ping(cid(0), 1, answered: false), at: 60) == [.pingTimeout(cid(0), 1, at: instant(80))])
        #expect(
            server.handle(.pingTimeout(cid(0), 1), at: 80) == [
                .storeOps(1), .lastSeen(cid(0), instant(80)),
                .deliver(to: cid(1), .presence(rid(0), entry(0, .offline))),
                .fanout(recipients: 1, room: rid(0), subject: cid(0)),
            ])
        #expect(server.handle(.pingTimeout(cid(0), 1), at: 81).isEmpty)
        // A ping for a connection the server never saw is ignored.
        #expect(server.handle(.ping(cid(2), 9, answered: false), at: 82).isEmpty)
    }

    /// Design flaw (seed A): a client that reconnects before the transport notices its old socket is
    /// dead leaves a zombie socket behind; when the zombie times out, the disconnect handler removes the
    /// user from the set and broadcasts `offline` although the user is connected on the new socket.
    @Test func socketIORedisZombieSocketTimeoutBroadcastsAFalseOffline() throws {
        var server = try server("socketio-redis")
        server.message(0, .connect(1), at: 10)
        server.message(1, .connect(1), at: 11)
        #expect(server.handle(.ping(cid(0), 1, answered: false), at: 35) == [.pingTimeout(cid(0), 1, at: instant(55))])
        // The client is back on connection 2: online broadcast again, new ping chain.
        let reconnect = server.message(0, .connect(2), at: 40)
        #expect(deliveries(in: reconnect).first == .deliver(to: cid(1), .presence(rid(0), entry(0, .online))))
        #expect(reconnect.last == .ping(cid(0), 2, at: instant(65)))
        // The zombie times out: offline to the family though client 0 is connected.
        #expect(
            server.handle(.pingTimeout(cid(0), 1), at: 55) == [
                .storeOps(1), .lastSeen(cid(0), instant(55)),
                .deliver(to: cid(1), .presence(rid(0), entry(0, .offline))),
                .fanout(recipients: 1, room: rid(0), subject: cid(0)),
            ])
        // The new socket still works, but the set has lost the user: the next first paint misses it.
        #expect(
            server.message(0, .heartbeat(.online, room: nil), at: 60) == [
                .storeOps(1)
            ])
        let paint = server.message(2, .connect(1), at: 61)
        #expect(
            deliveries(in: paint).last == .deliver(to: cid(2), .connected(1, snapshots: [view(0, [entry(1, .online)])]))
        )
    }

    /// Without the worker (`expiry` off, the seed) an expired key announces nothing and the set keeps the
    /// vanished user: the first paint lists a ghost.
    @Test func socketIORedisWithoutWorkerKeepsGhostsInTheSet() throws {
        var server = try server("socketio-redis", #""expiry": "off""#)
        #expect(server.start().isEmpty)
        var effects: [ServerEffect] = []
        effects += server.message(0, .connect(1), at: 10)
        effects += server.message(1, .connect(1), at: 11)
        for at in stride(from: 30.0, through: 190, by: 20) {
            effects += server.message(1, .heartbeat(.online, room: nil), at: at)
        }
        #expect(!effects.contains(.deliver(to: cid(1), .presence(rid(0), entry(0, .offline)))))
        #expect(!effects.contains { if case .lastSeen = $0 { true } else { false } })
        // Client 0's key expired at 70; it is still in the set.
        let paint = server.message(2, .connect(1), at: 200)
        #expect(
            deliveries(in: paint).last
                == .deliver(to: cid(2), .connected(1, snapshots: [view(0, [entry(0, .online), entry(1, .online)])])))
    }

    /// The expired-key worker (`expiry` an interval): each sweep removes expired users from the set, writes
    /// last seen and broadcasts `offline`.
    @Test func socketIORedisExpiredKeyWorkerCleansTheSetAndBroadcasts() throws {
        var server = try server("socketio-redis", #""expiry": "30s""#)
        #expect(server.start() == [.schedule(.sweep, tag: 0, at: instant(30))])
        server.message(0, .connect(1), at: 10)
        server.message(1, .connect(1), at: 11)
        for at in [30.0, 50, 70] { server.message(1, .heartbeat(.online, room: nil), at: at) }
        #expect(server.handle(.timer(.sweep, tag: 0), at: 30) == [.schedule(.sweep, tag: 0, at: instant(60))])
        #expect(server.handle(.timer(.sweep, tag: 0), at: 60) == [.schedule(.sweep, tag: 0, at: instant(90))])
        #expect(
            server.handle(.timer(.sweep, tag: 0), at: 90) == [
                // The key expired at 70: the sweep finds it 20 s late.
                .storeOps(1, of: cid(0)), .keyExpired(cid(0), deadline: instant(70)), .lastSeen(cid(0), instant(90)),
                .deliver(to: cid(1), .presence(rid(0), entry(0, .offline))),
                .fanout(recipients: 1, room: rid(0), subject: cid(0)), .schedule(.sweep, tag: 0, at: instant(120)),
            ])
        let paint = server.message(2, .connect(1), at: 100)
        #expect(
            deliveries(in: paint).last == .deliver(to: cid(2), .connected(1, snapshots: [view(0, [entry(1, .online)])]))
        )
    }

    /// A Redis restart loses keys and sets but not sockets: the store shows everyone absent, nobody is
    /// disconnected, and nothing re-adds connected users to the set (pings re-create keys only).
    @Test func socketIORedisRestartEmptiesTheSetButKeepsSockets() throws {
        var server = try server("socketio-redis")
        server.message(0, .connect(1), at: 10)
        server.message(1, .connect(1), at: 11)
        #expect(server.handle(.restartCore, at: 20).isEmpty)
        #expect((0..<6).allSatisfy { !server.readShows($0, at: 20) && !server.keyExists($0, at: 20) })
        #expect(server.message(0, .heartbeat(.online, room: nil), at: 30) == [.storeOps(1)])
        // The ping re-creates the key, but the family set, which the initial paint reads, stays empty.
        #expect(server.keyExists(0, at: 30) && !server.readShows(0, at: 30))
        let paint = server.message(2, .connect(1), at: 31)
        #expect(
            deliveries(in: paint) == [
                .deliver(to: cid(0), .presence(rid(0), entry(2, .online))),
                .deliver(to: cid(1), .presence(rid(0), entry(2, .online))),
                .deliver(to: cid(2), .connected(1, snapshots: [view(0, [])])),
            ])
    }

    // MARK: Design B — http-polling

    /// Heartbeats carry the status; the offline beacon is stored as a status, so the store's view turns
    /// offline at once; room polls list the live members with their status; nothing is ever pushed.
    @Test func httpPollingHeartbeatsBeaconsAndRoomPolls() throws {
        var server = try server("http-polling")
        var all: [ServerEffect] = server.start()
        #expect(server.message(0, .joinRoom(rid(0)), at: 0) == [.storeOps(2)])
        #expect(
            server.message(0, .heartbeat(.online, room: nil), at: 0) == [
                .storeOps(1)
            ])
        all += server.message(1, .joinRoom(rid(0)), at: 1)
        #expect(
            server.message(1, .heartbeat(.away, room: nil), at: 1) == [
                .storeOps(1)
            ])
        all += server.message(2, .joinRoom(rid(0)), at: 2)
        all += server.message(2, .heartbeat(.online, room: nil), at: 2)
        #expect(
            server.message(2, .beacon(.offline), at: 2.5) == [
                .storeOps(1)
            ])
        // A room read costs the set read plus one read per member.
        #expect(
            server.message(0, .pollRoom(rid(0)), at: 5) == [
                .storeOps(4), .deliver(to: cid(0), .roomSnapshot(view(0, [entry(1, .away), entry(2, .offline)]))),
            ])
        all += server.message(0, .heartbeat(.online, room: nil), at: 30)
        all += server.message(0, .heartbeat(.online, room: nil), at: 60)
        // Expired keys are filtered: client 1's at 61, client 2's offline entry at 62.5.
        #expect(
            server.message(0, .pollRoom(rid(0)), at: 61.5) == [
                .storeOps(4), .deliver(to: cid(0), .roomSnapshot(view(0, [entry(2, .offline)]))),
            ])
        #expect(
            server.message(0, .pollRoom(rid(0)), at: 62.5) == [
                .storeOps(4), .deliver(to: cid(0), .roomSnapshot(view(0, []))),
            ])
        #expect(
            server.message(1, .pollRoom(rid(0)), at: 62.5) == [
                .storeOps(4), .deliver(to: cid(1), .roomSnapshot(view(0, [entry(0, .online)]))),
            ])
        #expect(server.message(2, .leaveRoom(rid(0)), at: 63) == [.storeOps(1)])
        #expect(storeOps(in: server.message(1, .pollRoom(rid(0)), at: 64)) == 3)
        // A user poll costs a read per other member and answers with each one's stored status: both keys
        // are gone by now.
        #expect(
            server.message(0, .pollUsers(rid(0), requests: 1), at: 65) == [
                .storeOps(2), .deliver(to: cid(0), .usersAnswer([entry(1, .offline), entry(2, .offline)])),
            ])
        // No push at all.
        all += server.message(1, .heartbeat(.online, room: nil), at: 66)
        all += server.message(1, .beacon(.away), at: 67)
        #expect(fanouts(in: all).isEmpty && deliveries(in: all).isEmpty)
    }

    /// Typing is a stored flag that observers poll; nothing is relayed.
    @Test func httpPollingTypingFlagAndTypingPoll() throws {
        var server = try server("http-polling")
        for client in 0..<3 {
            server.message(client, .joinRoom(rid(0)), at: 0)
            server.message(client, .heartbeat(.online, room: nil), at: 0)
        }
        #expect(server.message(1, .typing(rid(0), true), at: 10) == [.storeOps(1)])
        #expect(
            server.message(0, .pollTyping(rid(0)), at: 11) == [
                .storeOps(1), .deliver(to: cid(0), .typingSnapshot(rid(0), [cid(1)])),
            ])
        #expect(
            server.message(1, .pollTyping(rid(0)), at: 11) == [
                .storeOps(1), .deliver(to: cid(1), .typingSnapshot(rid(0), [])),
            ])
        #expect(server.message(1, .typing(rid(0), false), at: 12) == [.storeOps(1)])
        #expect(
            server.message(0, .pollTyping(rid(0)), at: 13) == [
                .storeOps(1), .deliver(to: cid(0), .typingSnapshot(rid(0), [])),
            ])
    }

    // MARK: Design C — ttl-entries

    /// A heartbeat that creates an entry pushes `joined` (online) to the room's other subscribers and
    /// schedules the store's next expiry; a refresh pushes nothing; `leave()` removes the entry at once
    /// and pushes `left` (offline).
    @Test func ttlEntriesHeartbeatPushesJoinedAndLeavePushesLeft() throws {
        var server = try server("ttl-entries")
        #expect(
            server.message(0, .connect(1), at: 0) == [
                .storeOps(1), .deliver(to: cid(0), .connected(1, snapshots: [view(0, [])])),
            ])
        server.message(1, .connect(1), at: 0.5)
        #expect(
            server.message(0, .heartbeat(.online, room: rid(0)), at: 1) == [
                .storeOps(1), .deliver(to: cid(1), .presence(rid(0), entry(0, .online))),
                .fanout(recipients: 1, room: rid(0), subject: cid(0)),
                .schedule(.expiry, tag: 0, at: instant(31)),
            ])
        #expect(
            server.message(0, .heartbeat(.online, room: rid(0)), at: 11) == [
                .storeOps(1)
            ])
        // The first paint lists the live entries.
        let paint = server.message(2, .connect(1), at: 12)
        #expect(
            deliveries(in: paint) == [.deliver(to: cid(2), .connected(1, snapshots: [view(0, [entry(0, .online)])]))])
        #expect(
            server.message(0, .leave(rid(0)), at: 20) == [
                .storeOps(1), .deliver(to: cid(1), .presence(rid(0), entry(0, .offline))),
                .deliver(to: cid(2), .presence(rid(0), entry(0, .offline))),
                .fanout(recipients: 2, room: rid(0), subject: cid(0)),
            ])
        // Leaving without an entry announces nothing.
        #expect(server.message(0, .leave(rid(0)), at: 21) == [.storeOps(1)])
        // A closed socket is not heard from.
        server.message(1, .close(1), at: 22)
        #expect(server.message(1, .heartbeat(.online, room: rid(0)), at: 23).isEmpty)
    }

    /// Exact expiry: the entry's end is pushed as `offline` at the exact instant; the server's expiry
    /// timer is rescheduled to the store's next expiry.
    @Test func ttlEntriesExactExpiryPushesAtTheInstant() throws {
        var server = try server("ttl-entries")
        server.message(0, .connect(1), at: 0)
        server.message(1, .connect(1), at: 0)
        server.message(0, .heartbeat(.online, room: rid(0)), at: 1)
        server.message(1, .heartbeat(.online, room: rid(0)), at: 2)
        // Refreshed: the timer at 31 finds nothing due and moves on to client 1's expiry.
        server.message(0, .heartbeat(.online, room: rid(0)), at: 11)
        #expect(server.handle(.timer(.expiry, tag: 0), at: 31) == [.schedule(.expiry, tag: 0, at: instant(32))])
        #expect(
            server.handle(.timer(.expiry, tag: 0), at: 32) == [
                .storeOps(1, of: cid(1)), .deliver(to: cid(0), .presence(rid(0), entry(1, .offline))),
                .fanout(recipients: 1, room: rid(0), subject: cid(1)),
                .schedule(.expiry, tag: 0, at: instant(41)),
            ])
        // Just before the instant the entry is still live.
        #expect(
            server.message(0, .heartbeat(.online, room: rid(0)), at: 40.999) == [
                .storeOps(1)
            ])
    }

    /// Expiry comes first at an instant: a heartbeat arriving exactly when its entry expires finds it
    /// gone, so observers are told offline and then online again (a flap).
    @Test func ttlEntriesExpiryComesBeforeAHeartbeatAtTheSameInstant() throws {
        var server = try server("ttl-entries")
        server.message(0, .connect(1), at: 0)
        server.message(1, .connect(1), at: 0)
        server.message(0, .heartbeat(.online, room: rid(0)), at: 1)
        #expect(
            server.message(0, .heartbeat(.online, room: rid(0)), at: 31) == [
                // The expiry's deletion is work on client 0's entry, then its heartbeat's write.
                .storeOps(1, of: cid(0)), .deliver(to: cid(1), .presence(rid(0), entry(0, .offline))),
                .fanout(recipients: 1, room: rid(0), subject: cid(0)),
                .storeOps(1), .deliver(to: cid(1), .presence(rid(0), entry(0, .online))),
                .fanout(recipients: 1, room: rid(0), subject: cid(0)),
                .schedule(.expiry, tag: 0, at: instant(61)),
            ])
    }

    /// A core restart closes every socket and loses every entry: `.closed` to each connected client, the
    /// store absent for everyone, and reconnecting clients paint an empty room.
    @Test func ttlEntriesRestartClosesEverySocketAndEmptiesTheStore() throws {
        var server = try server("ttl-entries")
        for client in [0, 1, 3] {
            server.message(client, .connect(1), at: 0)
            server.message(client, .heartbeat(.online, room: rid(client / 3)), at: 40)
        }
        #expect((0..<6).contains { server.readShows($0, at: 50) })
        #expect(server.handle(.restartCore, at: 50) == [0, 1, 3].map { .deliver(to: cid($0), .closed) })
        #expect((0..<6).allSatisfy { !server.readShows($0, at: 50) && !server.keyExists($0, at: 50) })
        // The old sockets are gone.
        #expect(server.message(1, .heartbeat(.online, room: rid(0)), at: 51).isEmpty)
        #expect(
            server.message(0, .connect(2), at: 52) == [
                .storeOps(1), .deliver(to: cid(0), .connected(2, snapshots: [view(0, [])])),
            ])
        // The first to re-heartbeat has nobody to tell yet.
        #expect(
            server.message(0, .heartbeat(.online, room: rid(0)), at: 52.1) == [
                .storeOps(1), .fanout(recipients: 0, room: rid(0), subject: cid(0)),
                .schedule(.expiry, tag: 0, at: instant(82.1)),
            ])
    }

    /// Typing on a push design is stored with its TTL and relayed; the TTL's end is relayed as a stop.
    @Test func ttlEntriesTypingIsRelayedAndExpires() throws {
        var server = try server("ttl-entries")
        server.message(0, .connect(1), at: 0)
        server.message(1, .connect(1), at: 0)
        let start = server.message(0, .typing(rid(0), true), at: 1)
        #expect(
            Array(start.prefix(3)) == [
                .storeOps(1), .deliver(to: cid(1), .typing(rid(0), subject: cid(0), isTyping: true)),
                .fanout(recipients: 1, room: rid(0), subject: cid(0)),
            ])
        #expect(start.dropFirst(3).allSatisfy { if case .schedule(.expiry, _, _) = $0 { true } else { false } })
        // The 5 s typing TTL runs out.
        let expired = server.handle(.timer(.expiry, tag: 0), at: 6)
        #expect(deliveries(in: expired) == [.deliver(to: cid(1), .typing(rid(0), subject: cid(0), isTyping: false))])
    }

    // MARK: Remedies

    /// `leaveGrace`: an offline followed by an online within the grace announces neither.
    @Test func leaveGraceSuppressesAQuickLeaveAndReturn() throws {
        var server = try server("ttl-entries", #""leaveGrace": "15s""#)
        server.message(0, .connect(1), at: 0)
        server.message(1, .connect(1), at: 0)
        #expect(
            deliveries(in: server.message(0, .heartbeat(.online, room: rid(0)), at: 1)) == [
                .deliver(to: cid(1), .presence(rid(0), entry(0, .online)))
            ])
        let leave = server.message(0, .leave(rid(0)), at: 10)
        #expect(deliveries(in: leave).isEmpty)
        #expect(leave.contains(.schedule(.graceEnd(EntryKey(room: rid(0), client: cid(0))), tag: 1, at: instant(25))))
        #expect(deliveries(in: server.message(0, .heartbeat(.online, room: rid(0)), at: 12)).isEmpty)
        #expect(
            deliveries(in: server.handle(.timer(.graceEnd(EntryKey(room: rid(0), client: cid(0))), tag: 1), at: 25))
                .isEmpty)
    }

    /// `leaveGrace`: an offline not cancelled within the grace is announced when it ends.
    @Test func leaveGraceAnnouncesOfflineAfterTheGrace() throws {
        var server = try server("ttl-entries", #""leaveGrace": "15s""#)
        server.message(0, .connect(1), at: 0)
        server.message(1, .connect(1), at: 0)
        server.message(0, .heartbeat(.online, room: rid(0)), at: 1)
        let leave = server.message(0, .leave(rid(0)), at: 10)
        let grace = try #require(
            leave.compactMap {
                if case .schedule(.graceEnd(EntryKey(room: rid(0), client: cid(0))), let tag, let at) = $0 {
                    (tag, at)
                } else {
                    nil
                }
            }
            .first)
        #expect(grace.1 == instant(25))
        let end = server.handle(.timer(.graceEnd(EntryKey(room: rid(0), client: cid(0))), tag: grace.0), at: 25)
        #expect(
            end == [
                .deliver(to: cid(1), .presence(rid(0), entry(0, .offline))),
                .fanout(recipients: 1, room: rid(0), subject: cid(0)),
            ])
    }

    /// `batch`: changes in a room are coalesced per period (one entry per subject, the latest) and go out
    /// as one `.presenceBatch` per period to every connected member, with one fan-out.
    @Test func batchCoalescesChangesPerRoomAndPeriod() throws {
        var server = try server("ttl-entries", #""batch": "1500ms""#)
        for client in 0..<3 { server.message(client, .connect(1), at: 0) }
        server.message(3, .connect(1), at: 0)
        #expect(
            server.message(0, .heartbeat(.online, room: rid(0)), at: 0.2) == [
                .storeOps(1), .schedule(.flush(RoomID(0)), tag: 0, at: instant(1.5)),
                .schedule(.expiry, tag: 0, at: instant(30.2)),
            ])
        #expect(
            server.message(1, .heartbeat(.online, room: rid(0)), at: 0.7) == [
                .storeOps(1)
            ])
        let batch = Inbound.presenceBatch(rid(0), [entry(0, .online), entry(1, .online)])
        #expect(
            server.handle(.timer(.flush(RoomID(0)), tag: 0), at: 1.5) == [
                .deliver(to: cid(0), batch), .deliver(to: cid(1), batch), .deliver(to: cid(2), batch),
                .fanout(recipients: 3, room: rid(0), subject: nil),
            ])
        #expect(server.handle(.timer(.flush(RoomID(0)), tag: 0), at: 1.5).isEmpty)
        // Joined then left within one period: one entry, the latest.
        let joined = server.message(2, .heartbeat(.online, room: rid(0)), at: 2)
        #expect(joined.contains(.schedule(.flush(RoomID(0)), tag: 0, at: instant(3))))
        #expect(deliveries(in: server.message(2, .leave(rid(0)), at: 2.5)).isEmpty)
        let flushed = server.handle(.timer(.flush(RoomID(0)), tag: 0), at: 3)
        #expect(deliveries(in: flushed).count == 3)
        #expect(flushed.first == .deliver(to: cid(0), .presenceBatch(rid(0), [entry(2, .offline)])))
        #expect(fanouts(in: flushed) == [3])
        // A change exactly on a boundary waits for the next one.
        #expect(
            server.message(3, .heartbeat(.online, room: rid(1)), at: 3).contains(
                .schedule(.flush(RoomID(1)), tag: 0, at: instant(4.5))))
    }
}

import PresenceCore
import Scenario
import Simulation
import Testing

/// Redis's active-expiry cycle as the store and ``ActiveExpiry`` model it, checked against figures
/// derived from the algorithm (src/expire.c, Redis 7.0) by hand.
@Suite struct ActiveExpiryTests {
    private static let room = RoomID(0)

    private static func key(_ index: Int) -> EntryKey { EntryKey(room: room, client: ClientID(index)) }

    /// A sampling store holding `live` keys that live for an hour and `probes` keys that expire at 1 s,
    /// all written at 0 (the probes first).
    private static func store(live: Int, probes: Int) -> PresenceStore {
        var store = PresenceStore(samplesVolatileKeys: true)
        for index in 0..<(probes + live) {
            store.heartbeat(key(index), now: .zero, ttl: index < probes ? .seconds(1) : .hours(1))
        }
        return store
    }

    /// The derived limits: 20 keys a loop, repeat above 10 %, 25 % of 100 ms = 25,000 µs at 20 µs a loop.
    @Test func loopLimitsFollowRedis() {
        #expect(
            ActiveExpiry.loop(for: RedisExpiry())
                == .init(keysPerLoop: 20, acceptableStalePercent: 10, budgetLoops: 1250))
        let hard = RedisExpiry(hz: 50, effort: 10)
        #expect(hard.keysPerLoop == 65 && hard.acceptableStalePercent == 1 && hard.timePercent == 43)
        #expect(ActiveExpiry.loop(for: hard).budgetLoops == 132)  // 43 % of 20 ms = 8,600 µs / 65 µs
    }

    /// Every key expired, none live: each cycle runs to its budget — 1,250 loops rounded up to the next
    /// clock check (every 16 loops), 1,264 loops of 20 — so the store drains at
    /// hz × keys a loop × loops = 10 × 20 × 1,264 = 252,800 keys a second (a real redis-server 7.0.15
    /// here drained about 250,000 a second).
    @Test func allExpiredDrainsAtTheBudget() {
        var store = Self.store(live: 0, probes: 100_000)
        var cycle = ActiveExpiry(RedisExpiry(), seed: 1)
        var events: [PresenceStore.Event] = []
        var outcomes: [PresenceStore.CycleOutcome] = []
        for step in 1...4 {
            outcomes.append(
                cycle.run(
                    on: &store, now: .zero + .milliseconds(Int64(1000 + 100 * step)), recordLastSeen: false,
                    into: &events))
        }
        #expect(outcomes[0].loops == 1264 && outcomes[0].expired == 25_280 && outcomes[0].hitBudget)
        #expect(outcomes[1].expired == 25_280 && outcomes[2].expired == 25_280)
        #expect(outcomes[3].expired == 100_000 - 3 * 25_280 && !outcomes[3].hitBudget)
        #expect(store.volatileKeyCount == 0 && store.storedEntryCount == 0 && events.count == 100_000)
        #expect(events.allSatisfy { $0.deadline == .zero + .seconds(1) })
        store.checkInvariants(expiredThrough: nil)
    }

    /// A few expired keys among many live ones: a loop of 20 keys with 2 % expired rarely finds more than
    /// 10 % (3 or more; P ≈ 0.7 %), so a cycle is about one loop and the cursor visits about 200 keys a
    /// second. A full pass over 10,200 keys takes about 51 s and a probe's place in the scan is uniform,
    /// so its lag is about uniform on (0, 51 s): median ≈ 25 s, p90 ≈ 46 s, none later than the pass.
    @Test func fewExpiredAmongManyLiveWaitForTheCursor() {
        var store = Self.store(live: 10_000, probes: 200)
        var cycle = ActiveExpiry(RedisExpiry(), seed: 7)
        var lags: [Double] = []
        var events: [PresenceStore.Event] = []
        for step in 1...600 {
            let now = Instant.zero + .milliseconds(Int64(100 * step))
            events.removeAll()
            cycle.run(on: &store, now: now, recordLastSeen: false, into: &events)
            for event in events { lags.append((now - event.deadline!).seconds) }
        }
        lags.sort()
        #expect(lags.count == 200)
        let median = lags[lags.count / 2]
        let p90 = lags[lags.count * 9 / 10]
        #expect((20...30).contains(median), "median \(median)")
        #expect((40...52).contains(p90), "p90 \(p90)")
        #expect(lags.last! <= 52, "max \(lags.last!)")
        #expect(store.volatileKeyCount == 10_000)
        store.checkInvariants(expiredThrough: nil)
    }

    /// Lazy expiry: the access deletes the key and is its `expired` event, with the deadline; a live key
    /// and a store that does not sample are left alone.
    @Test func anAccessExpiresAnExpiredKey() {
        var store = Self.store(live: 1, probes: 1)
        #expect(store.expireIfNeeded(Self.key(1), now: .zero + .seconds(5), recordLastSeen: false) == nil)
        #expect(store.expireIfNeeded(Self.key(0), now: .zero + .milliseconds(999), recordLastSeen: true) == nil)
        let event = store.expireIfNeeded(Self.key(0), now: .zero + .seconds(3), recordLastSeen: true)
        #expect(event?.change == .expired(Self.key(0)) && event?.deadline == .zero + .seconds(1))
        #expect(store.lastSeen(of: ClientID(0))?.writtenAt == .zero + .seconds(3))
        #expect(store.volatileKeyCount == 1)
        store.checkInvariants(expiredThrough: nil)
        var plain = PresenceStore()
        plain.heartbeat(Self.key(0), now: .zero, ttl: .seconds(1))
        #expect(plain.expireIfNeeded(Self.key(0), now: .zero + .seconds(3), recordLastSeen: false) == nil)
    }

    /// Writes, removals, accesses and cycles in any order keep the dense array and the records in step.
    @Test func randomOperationsKeepTheInvariants() {
        var store = PresenceStore(samplesVolatileKeys: true)
        var cycle = ActiveExpiry(RedisExpiry(), seed: 3)
        var random = RandomStream(seed: 5, stream: 0, purpose: .behavior)
        var events: [PresenceStore.Event] = []
        var now = Instant.zero
        for _ in 0..<5000 {
            now = now + .milliseconds(Int64(random.next() % 50))
            let key = EntryKey(room: RoomID(Int(random.next() % 4)), client: ClientID(Int(random.next() % 300)))
            switch random.next() % 10 {
            case 0...4: store.heartbeat(key, now: now, ttl: .milliseconds(Int64(100 + random.next() % 3000)))
            case 5: store.remove(key, now: now, recordLastSeen: false)
            case 6: _ = store.expireIfNeeded(key, now: now, recordLastSeen: false)
            default: cycle.run(on: &store, now: now, recordLastSeen: false, into: &events)
            }
        }
        store.checkInvariants(expiredThrough: nil)
        #expect(store.volatileKeyCount == store.storedEntryCount)
    }

    /// Design A's worker, reacting to keyspace notifications: a vanished user leaves the family set when
    /// a cycle deletes its key, and the effect carries the lag.
    @Test func designAWorkerFollowsTheCycle() throws {
        var server = try server("socketio-redis", #""expiry": "redis""#)
        #expect(server.start() == [.schedule(.activeExpiry, tag: 0, at: instant(0.1))])
        server.message(1, .connect(1), at: 10)  // Never pings: its key expires at 70.
        let before = server.handle(.timer(.activeExpiry, tag: 0), at: 69.9)
        #expect(!before.contains { if case .keyExpired = $0 { true } else { false } })
        #expect(server.readShows(1, at: 70))
        let effects = server.handle(.timer(.activeExpiry, tag: 0), at: 70.1)
        #expect(effects.contains(.keyExpired(cid(1), deadline: instant(70))))
        #expect(effects.contains(.lastSeen(cid(1), instant(70.1))))
        #expect(effects.last == .schedule(.activeExpiry, tag: 0, at: instant(70.2)))
        #expect(!server.readShows(1, at: 70.1))
    }

    /// Design B's `GET` of an expired key deletes it then: the expiry happens at the read, not before.
    @Test func designBReadExpiresLazily() throws {
        var server = try server("http-polling", #""expiry": {"redis": {"hz": 1}}"#)
        server.message(0, .joinRoom(rid(0)), at: 0)
        server.message(0, .heartbeat(.online, room: nil), at: 0)
        let poll = server.message(1, .pollUsers(rid(0), requests: 1), at: 61)
        #expect(poll.contains(.keyExpired(cid(0), deadline: instant(60))))
        let again = server.message(1, .pollUsers(rid(0), requests: 1), at: 62)
        #expect(!again.contains { if case .keyExpired = $0 { true } else { false } })
    }
}

extension ActiveExpiryTests {
    /// A ping that finds its own key expired but not yet deleted deletes it (its `expired` event, with the
    /// lag) and writes it again: design A's worker, which checks that the key is still gone, keeps the user in
    /// the family set.
    @Test func designAPingOnAnExpiredKeyKeepsTheUser() throws {
        var server = try server("socketio-redis", #""expiry": "redis""#)
        server.message(0, .connect(1), at: 0)  // Key until 60; no cycle runs in this test.
        let ping = server.message(0, .heartbeat(.online, room: nil), at: 65)
        #expect(ping.contains(.keyExpired(cid(0), deadline: instant(60))))
        #expect(!ping.contains { if case .lastSeen = $0 { true } else { false } })
        #expect(server.readShows(0, at: 65) && server.keyExists(0, at: 124))
    }
}

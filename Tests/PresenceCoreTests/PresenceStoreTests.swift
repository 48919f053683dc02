import PresenceCore
import Testing

private let room = RoomID(1)
private let alice = ClientID(1)
private let bob = ClientID(2)
private let aliceKey = EntryKey(room: room, client: alice)
private let bobKey = EntryKey(room: room, client: bob)

private func at(_ seconds: Int64) -> Instant { Instant(nanoseconds: seconds * Interval.nanosecondsPerSecond) }

@Suite struct EntryTests {
    @Test func heartbeatCreatesAndRefreshesAnEntry() {
        var store = PresenceStore()
        store.subscribe(to: room)
        let first = store.heartbeat(aliceKey, now: at(0), ttl: .seconds(60))
        #expect(first == .init(change: .joined(aliceKey, .online), subscribers: 1))
        #expect(store.heartbeat(aliceKey, now: at(20), ttl: .seconds(60)) == nil)
        #expect(store.entry(aliceKey, now: at(79))?.expiresAt == at(80))
        #expect(store.entry(aliceKey, now: at(79))?.lastHeartbeat == at(20))
    }

    @Test func anEntryIsDeadAtItsExpiryInstant() {
        var store = PresenceStore()
        store.heartbeat(aliceKey, now: at(0), ttl: .seconds(60))
        #expect(store.isLive(aliceKey, now: at(59)))
        #expect(!store.isLive(aliceKey, now: at(60)))
    }

    @Test func aHeartbeatAfterExpiryRejoinsEvenIfNobodyReclaimedTheEntry() {
        var store = PresenceStore()
        store.heartbeat(aliceKey, now: at(0), ttl: .seconds(60))
        #expect(store.heartbeat(aliceKey, now: at(60), ttl: .seconds(60))?.change == .joined(aliceKey, .online))
    }

    @Test func statusChangesAreReportedAndKept() {
        var store = PresenceStore()
        store.heartbeat(aliceKey, now: at(0), ttl: .seconds(60), status: .online, payloadBytes: 40)
        let change = store.heartbeat(aliceKey, now: at(1), ttl: .seconds(60), status: .away)?.change
        #expect(change == .statusChanged(aliceKey, from: .online, to: .away))
        #expect(store.heartbeat(aliceKey, now: at(2), ttl: .seconds(60))?.change == nil)
        #expect(store.entry(aliceKey, now: at(2))?.status == .away)
        #expect(store.entry(aliceKey, now: at(2))?.payloadBytes == 40)
    }

    @Test func removeReportsLeftOnlyForALiveEntryAndWritesLastSeen() {
        var store = PresenceStore()
        store.heartbeat(aliceKey, now: at(0), ttl: .seconds(60))
        store.heartbeat(aliceKey, now: at(10), ttl: .seconds(60))
        #expect(store.remove(aliceKey, now: at(15), recordLastSeen: true)?.change == .left(aliceKey))
        #expect(store.lastSeen(of: alice) == .init(writtenAt: at(15), lastHeartbeat: at(10)))
        #expect(store.remove(aliceKey, now: at(16), recordLastSeen: true) == nil)
        store.heartbeat(bobKey, now: at(0), ttl: .seconds(5))
        #expect(store.remove(bobKey, now: at(5), recordLastSeen: true) == nil)
        #expect(store.lastSeen(of: bob) == nil)
        #expect(store.storedEntryCount == 0)
    }

    @Test func liveEntriesAreSortedAndFiltered() {
        var store = PresenceStore()
        store.heartbeat(bobKey, now: at(0), ttl: .seconds(30))
        store.heartbeat(aliceKey, now: at(0), ttl: .seconds(10))
        #expect(store.liveEntries(in: room, now: at(5)).map(\.client) == [alice, bob])
        #expect(store.liveEntries(in: room, now: at(10)).map(\.client) == [bob])
    }
}

@Suite struct ExpiryTests {
    @Test func nextExpiryFollowsRefreshesWithoutScanning() {
        var store = PresenceStore()
        store.heartbeat(aliceKey, now: at(0), ttl: .seconds(60))
        store.heartbeat(bobKey, now: at(0), ttl: .seconds(90))
        let first = store.nextExpiry()
        #expect(first == at(60))
        store.heartbeat(aliceKey, now: at(20), ttl: .seconds(60))
        let refreshed = store.nextExpiry()
        #expect(refreshed == at(80))
        store.heartbeat(aliceKey, now: at(21), ttl: .seconds(5))
        let shortened = store.nextExpiry()
        #expect(shortened == at(26))
    }

    @Test func expireReturnsEverythingDueInOrderAndWritesLastSeenOnRequest() {
        var store = PresenceStore()
        store.subscribe(to: room)
        store.subscribe(to: room)
        store.heartbeat(bobKey, now: at(0), ttl: .seconds(10))
        store.heartbeat(aliceKey, now: at(0), ttl: .seconds(10))
        store.startTyping(aliceKey, now: at(0), ttl: .seconds(10))
        store.heartbeat(EntryKey(room: RoomID(0), client: bob), now: at(0), ttl: .seconds(11))
        var events: [PresenceStore.Event] = []
        store.expire(through: at(9), recordLastSeen: true, into: &events)
        #expect(events.isEmpty)
        store.expire(through: at(10), recordLastSeen: true, into: &events)
        #expect(
            events == [
                .init(change: .expired(aliceKey), subscribers: 2),
                .init(change: .expired(bobKey), subscribers: 2),
                .init(change: .typingStopped(aliceKey, expired: true), subscribers: 2),
            ])
        #expect(store.lastSeen(of: alice) == .init(writtenAt: at(10), lastHeartbeat: at(0)))
        let next = store.nextExpiry()
        #expect(next == at(11))
        store.checkInvariants(expiredThrough: at(10))
    }

    @Test func aSweepReportsEverythingThatExpiredSinceTheLastOne() {
        var store = PresenceStore()
        store.heartbeat(aliceKey, now: at(0), ttl: .seconds(3))
        store.heartbeat(bobKey, now: at(0), ttl: .seconds(7))
        var events: [PresenceStore.Event] = []
        store.expire(through: at(10), recordLastSeen: false, into: &events)
        #expect(events.map(\.change) == [.expired(aliceKey), .expired(bobKey)])
        #expect(store.lastSeen(of: alice) == nil)
    }

    @Test func restartLosesEntriesMembershipAndTypingButKeepsLastSeenAndSubscribers() {
        var store = PresenceStore()
        store.subscribe(to: room)
        store.addMember(alice, to: room, now: at(0))
        store.heartbeat(aliceKey, now: at(0), ttl: .seconds(60))
        store.startTyping(aliceKey, now: at(0), ttl: nil)
        store.writeLastSeen(bob, now: at(1), lastHeartbeat: at(0))
        store.restart()
        #expect(!store.isLive(aliceKey, now: at(1)))
        #expect(store.members(of: room, now: at(1), liveOnly: false).isEmpty)
        #expect(!store.isTyping(aliceKey, now: at(1)))
        #expect(store.lastSeen(of: bob) != nil)
        #expect(store.subscribers(of: room) == 1)
        let none = store.nextExpiry()
        #expect(none == nil)
        store.checkInvariants(expiredThrough: at(1))
    }
}

@Suite struct MembershipTests {
    @Test func theRawSetKeepsGhostsThatLiveReadsFilter() {
        var store = PresenceStore()
        store.addMember(alice, to: room, now: at(0))
        store.addMember(bob, to: room, now: at(0))
        store.heartbeat(aliceKey, now: at(0), ttl: .seconds(60))
        store.heartbeat(bobKey, now: at(0), ttl: .seconds(60))
        store.heartbeat(aliceKey, now: at(50), ttl: .seconds(60))
        #expect(store.members(of: room, now: at(70), liveOnly: false) == [alice, bob])
        #expect(store.members(of: room, now: at(70), liveOnly: true) == [alice])
        let removed = store.removeMember(bob, from: room)
        let removedAgain = store.removeMember(bob, from: room)
        #expect(removed && !removedAgain)
        #expect(store.isMember(alice, of: room, now: at(70)))
        #expect(!store.isMember(bob, of: room, now: at(70)))
    }

    @Test func aMemberSetWithExpiryDropsEveryoneAndIsNotResurrected() {
        var store = PresenceStore()
        store.addMember(alice, to: room, now: at(0), membershipTTL: .seconds(600))
        store.addMember(bob, to: room, now: at(100), membershipTTL: .seconds(600))
        #expect(store.members(of: room, now: at(699), liveOnly: false) == [alice, bob])
        #expect(store.members(of: room, now: at(700), liveOnly: false).isEmpty)
        store.addMember(bob, to: room, now: at(800), membershipTTL: .seconds(600))
        #expect(store.members(of: room, now: at(800), liveOnly: false) == [bob])
        var events: [PresenceStore.Event] = []
        store.expire(through: at(1400), recordLastSeen: false, into: &events)
        #expect(events.map(\.change) == [.membershipExpired(room, members: 1)])
    }
}

@Suite struct TypingTests {
    @Test func typingStartsOnceAndStopsByClearOrExpiry() {
        var store = PresenceStore()
        #expect(store.startTyping(aliceKey, now: at(0), ttl: .seconds(5))?.change == .typingStarted(aliceKey))
        #expect(store.startTyping(aliceKey, now: at(1), ttl: .seconds(5)) == nil)
        #expect(store.isTyping(aliceKey, now: at(5)))
        #expect(!store.isTyping(aliceKey, now: at(6)))
        #expect(store.stopTyping(aliceKey, now: at(6)) == nil)
        store.startTyping(bobKey, now: at(6), ttl: nil)
        #expect(store.typingClients(in: room, now: at(1000)) == [bob])
        #expect(store.stopTyping(bobKey, now: at(1000))?.change == .typingStopped(bobKey, expired: false))
    }
}

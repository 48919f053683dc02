import PresenceCore
import Testing

/// A deliberately naive model of the store: plain dictionaries, expiry by scanning. The property test
/// runs random operation sequences against both and requires identical answers after every step.
private struct ReferenceStore {
    var entries: [EntryKey: PresenceStore.Entry] = [:]
    var typing: [EntryKey: Instant] = [:]
    var members: [RoomID: Set<ClientID>] = [:]
    var membershipExpiry: [RoomID: Instant] = [:]
    var subscribers: [RoomID: Int] = [:]
    var lastSeen: [ClientID: PresenceStore.LastSeen] = [:]

    func event(_ change: PresenceStore.Change) -> PresenceStore.Event {
        .init(change: change, subscribers: subscribers[change.room] ?? 0)
    }

    mutating func heartbeat(_ key: EntryKey, now: Instant, ttl: Interval, status: PresenceStatus?) -> PresenceStore
        .Event?
    {
        let old = entries[key]
        let wasLive = old.map { now < $0.expiresAt } ?? false
        let newStatus = status ?? old?.status ?? .online
        entries[key] = .init(
            status: newStatus, payloadBytes: old?.payloadBytes ?? 0, expiresAt: now + ttl, lastHeartbeat: now)
        if !wasLive { return event(.joined(key, newStatus)) }
        if old!.status != newStatus { return event(.statusChanged(key, from: old!.status, to: newStatus)) }
        return nil
    }

    mutating func remove(_ key: EntryKey, now: Instant) -> PresenceStore.Event? {
        guard let old = entries.removeValue(forKey: key), now < old.expiresAt else { return nil }
        lastSeen[key.client] = .init(writtenAt: now, lastHeartbeat: old.lastHeartbeat)
        return event(.left(key))
    }

    mutating func addMember(_ client: ClientID, to room: RoomID, now: Instant, ttl: Interval?) {
        if let expiry = membershipExpiry[room], expiry <= now {
            members[room] = nil
            membershipExpiry[room] = nil
        }
        members[room, default: []].insert(client)
        if let ttl { membershipExpiry[room] = now + ttl }
    }

    func liveMembers(_ room: RoomID, now: Instant, liveOnly: Bool) -> [ClientID] {
        if let expiry = membershipExpiry[room], expiry <= now { return [] }
        let all = (members[room] ?? []).sorted()
        return liveOnly
            ? all.filter { entries[EntryKey(room: room, client: $0)].map { now < $0.expiresAt } ?? false } : all
    }

    mutating func startTyping(_ key: EntryKey, now: Instant, ttl: Interval?) -> PresenceStore.Event? {
        let was = typing[key].map { now < $0 } ?? false
        typing[key] = ttl.map { now + $0 } ?? .distantFuture
        return was ? nil : event(.typingStarted(key))
    }

    mutating func stopTyping(_ key: EntryKey, now: Instant) -> PresenceStore.Event? {
        guard let until = typing.removeValue(forKey: key), now < until else { return nil }
        return event(.typingStopped(key, expired: false))
    }

    var nextExpiry: Instant? {
        let times =
            entries.values.map(\.expiresAt) + typing.values.filter { $0 != .distantFuture }
            + Array(membershipExpiry.values)
        return times.min()
    }

    mutating func expire(through now: Instant) -> [PresenceStore.Event] {
        var due: [(Instant, UInt8, EntryKey)] = []
        for (key, entry) in entries where entry.expiresAt <= now { due.append((entry.expiresAt, 0, key)) }
        for (key, until) in typing where until <= now { due.append((until, 1, key)) }
        for (room, expiry) in membershipExpiry where expiry <= now {
            due.append((expiry, 2, EntryKey(room: room, client: ClientID(0))))
        }
        due.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
        var events: [PresenceStore.Event] = []
        for (_, kind, key) in due {
            switch kind {
            case 0:
                let old = entries.removeValue(forKey: key)!
                lastSeen[key.client] = .init(writtenAt: now, lastHeartbeat: old.lastHeartbeat)
                events.append(event(.expired(key)))
            case 1:
                typing[key] = nil
                events.append(event(.typingStopped(key, expired: true)))
            default:
                let count = members.removeValue(forKey: key.room)?.count ?? 0
                membershipExpiry[key.room] = nil
                events.append(event(.membershipExpired(key.room, members: count)))
            }
        }
        return events
    }
}

/// A small repeatable generator (SplitMix64) so that a failing seed can be replayed.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct PresenceStorePropertyTests {
    @Test(arguments: 0..<2_000)
    func randomOperationSequencesAgreeWithTheReferenceModel(seed: UInt64) {
        var random = SeededGenerator(state: seed)
        var store = PresenceStore()
        var model = ReferenceStore()
        var now = Instant.zero
        let rooms = (0..<3).map(RoomID.init)
        let clients = (0..<5).map(ClientID.init)
        for step in 0..<60 {
            now = now + .milliseconds(Int64.random(in: 0...3_000, using: &random) / 500 * 500)
            let key = EntryKey(
                room: rooms.randomElement(using: &random)!, client: clients.randomElement(using: &random)!)
            let ttl = Interval.seconds(Int64.random(in: 1...10, using: &random))
            var expiredNow = false
            switch Int.random(in: 0..<10, using: &random) {
            case 0, 1, 2:
                let status: PresenceStatus? =
                    Bool.random(using: &random) ? nil : PresenceStatus.allCases.randomElement(using: &random)
                #expect(
                    store.heartbeat(key, now: now, ttl: ttl, status: status)
                        == model.heartbeat(key, now: now, ttl: ttl, status: status), "seed \(seed) step \(step)")
            case 3:
                #expect(
                    store.remove(key, now: now, recordLastSeen: true) == model.remove(key, now: now),
                    "seed \(seed) step \(step)")
            case 4:
                let setTTL: Interval? =
                    Bool.random(using: &random) ? .seconds(Int64.random(in: 5...20, using: &random)) : nil
                store.addMember(key.client, to: key.room, now: now, membershipTTL: setTTL)
                model.addMember(key.client, to: key.room, now: now, ttl: setTTL)
            case 5:
                store.removeMember(key.client, from: key.room)
                model.members[key.room]?.remove(key.client)
            case 6:
                let typingTTL: Interval? = Bool.random(using: &random) ? ttl : nil
                #expect(
                    store.startTyping(key, now: now, ttl: typingTTL)
                        == model.startTyping(key, now: now, ttl: typingTTL), "seed \(seed) step \(step)")
            case 7:
                #expect(store.stopTyping(key, now: now) == model.stopTyping(key, now: now), "seed \(seed) step \(step)")
            case 8:
                if Bool.random(using: &random) || model.subscribers[key.room, default: 0] == 0 {
                    store.subscribe(to: key.room)
                    model.subscribers[key.room, default: 0] += 1
                } else {
                    store.unsubscribe(from: key.room)
                    model.subscribers[key.room]! -= 1
                }
            default:
                var events: [PresenceStore.Event] = []
                store.expire(through: now, recordLastSeen: true, into: &events)
                #expect(events == model.expire(through: now), "seed \(seed) step \(step)")
                expiredNow = true
            }
            if step == 45 && seed % 10 == 0 {
                store.restart()
                model.entries = [:]
                model.typing = [:]
                model.members = [:]
                model.membershipExpiry = [:]
            }
            store.checkInvariants(expiredThrough: expiredNow && step != 45 ? now : nil)
            let next = store.nextExpiry()
            #expect(next == model.nextExpiry, "seed \(seed) step \(step)")
            for room in rooms {
                #expect(
                    store.members(of: room, now: now, liveOnly: true)
                        == model.liveMembers(room, now: now, liveOnly: true))
                #expect(
                    store.members(of: room, now: now, liveOnly: false)
                        == model.liveMembers(room, now: now, liveOnly: false))
                #expect(store.subscribers(of: room) == model.subscribers[room] ?? 0)
                for client in clients {
                    let key = EntryKey(room: room, client: client)
                    let expected = model.entries[key].flatMap { now < $0.expiresAt ? $0 : nil }
                    #expect(store.entry(key, now: now) == expected, "seed \(seed) step \(step) \(key)")
                    #expect(store.isTyping(key, now: now) == (model.typing[key].map { now < $0 } ?? false))
                }
            }
            for client in clients { #expect(store.lastSeen(of: client) == model.lastSeen[client]) }
        }
    }
}

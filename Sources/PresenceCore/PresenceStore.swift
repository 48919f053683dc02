import HeapModule

/// The in-memory TTL presence store every simulated design runs against: the "Redis" of the reference
/// designs, as a pure value type.
///
/// Every operation takes `now` and returns what changed; nothing reads a clock and nothing is pushed
/// anywhere. The store holds four kinds of state, each mapping to what the reference designs keep:
///
/// - **Entries** per (room, client): status, metadata size, absolute expiry and last heartbeat. An entry
///   is *live* at `now` when `now < expiresAt` (Redis `EX` semantics: a key written at t with TTL d is
///   gone at t + d).
/// - **Membership** per room: the raw member set (design A's family set, design B's room set), which
///   is independent of entries and so can hold ghosts — members whose entry has expired.
/// - **Typing** flags per (room, client), with their own expiry.
/// - **Last seen** per client, written when an entry leaves or expires if the caller asks for it.
///
/// Expiry is lazy and exact: ``nextExpiry()`` tells the earliest instant something will expire without
/// scanning, and ``expire(through:recordLastSeen:into:)`` removes everything due and reports it. Whether a
/// design calls it at each expiry instant, on a periodic sweep, or never, is the caller's choice; reads
/// filter expired entries either way.
///
/// Complexity: every operation is O(log n) in the number of entries, except the room reads, which are
/// O(m log m) in the size of the room they return. Everything returned is in a defined order (expiry
/// instant, then kind, then room, then client; member lists by client), never in hash order.
public struct PresenceStore: Sendable {
    /// A change, returned to the caller so it can fan it out; `subscribers` is the room's subscriber
    /// count at the moment of the change.
    public struct Event: Hashable, Sendable {
        public var change: Change
        public var subscribers: Int
        /// For an `.expired` entry: the instant it had expired at, when the store knows it (the time between
        /// it and the event is the expiry's lag).
        public var deadline: Instant?
        public init(change: Change, subscribers: Int, deadline: Instant? = nil) {
            self.change = change
            self.subscribers = subscribers
            self.deadline = deadline
        }

        /// Two events are the same when they tell the same change to the same audience: the deadline is a
        /// measurement beside it, known to some expiry paths only.
        public static func == (lhs: Event, rhs: Event) -> Bool {
            lhs.change == rhs.change && lhs.subscribers == rhs.subscribers
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(change)
            hasher.combine(subscribers)
        }
    }

    public enum Change: Hashable, Sendable {
        /// An entry became live (it was absent, or had expired).
        case joined(EntryKey, PresenceStatus)
        /// A live entry was removed by the caller.
        case left(EntryKey)
        /// A live entry reached its expiry.
        case expired(EntryKey)
        case statusChanged(EntryKey, from: PresenceStatus, to: PresenceStatus)
        case typingStarted(EntryKey)
        /// `expired` tells whether the flag timed out rather than being cleared.
        case typingStopped(EntryKey, expired: Bool)
        /// A room's member set reached its expiry and was dropped, `members` with it.
        case membershipExpired(RoomID, members: Int)

        /// The room the change happened in.
        public var room: RoomID {
            switch self {
            case .joined(let key, _), .left(let key), .expired(let key), .statusChanged(let key, _, _),
                .typingStarted(let key), .typingStopped(let key, _):
                key.room
            case .membershipExpired(let room, _): room
            }
        }

        /// The client whose entry or typing flag changed (nil for a room's member set).
        public var client: ClientID? {
            switch self {
            case .joined(let key, _), .left(let key), .expired(let key), .statusChanged(let key, _, _),
                .typingStarted(let key), .typingStopped(let key, _):
                key.client
            case .membershipExpired: nil
            }
        }
    }

    /// A presence entry as stored.
    public struct Entry: Hashable, Sendable {
        public var status: PresenceStatus
        public var payloadBytes: Int
        public var expiresAt: Instant
        public var lastHeartbeat: Instant
        public init(status: PresenceStatus, payloadBytes: Int, expiresAt: Instant, lastHeartbeat: Instant) {
            self.status = status
            self.payloadBytes = payloadBytes
            self.expiresAt = expiresAt
            self.lastHeartbeat = lastHeartbeat
        }
    }

    /// A client's last-seen record: when it was written, and the last heartbeat the store had seen.
    public struct LastSeen: Hashable, Sendable {
        public var writtenAt: Instant
        public var lastHeartbeat: Instant
        public init(writtenAt: Instant, lastHeartbeat: Instant) {
            self.writtenAt = writtenAt
            self.lastHeartbeat = lastHeartbeat
        }
    }

    // MARK: State

    private struct EntryRecord {
        var entry: Entry
        /// The instant of this record's item in the expiry queue. Each record has exactly one queued item,
        /// never later than its expiry; see ``PresenceStore/nextExpiry()``. Unused when the store samples
        /// its volatile keys: their records are not queued.
        var queuedAt: Instant
        /// The record's place in ``PresenceStore/volatileKeys`` when the store samples its volatile keys.
        var slot: Int32 = -1
    }

    private struct TypingRecord {
        var until: Instant
        var queuedAt: Instant?
    }

    private struct Room {
        var members: Set<ClientID> = []
        /// Clients with an entry record (live or expired but not yet reclaimed) in this room.
        var entryClients: Set<ClientID> = []
        var typingClients: Set<ClientID> = []
        var subscribers = 0
        var membershipExpiresAt = Instant.distantFuture
        var membershipQueuedAt: Instant?

        var isEmpty: Bool {
            members.isEmpty && entryClients.isEmpty && typingClients.isEmpty && subscribers == 0
                && membershipQueuedAt == nil
        }
    }

    /// An item in the expiry queue. Ordered by instant, then kind, then key, so simultaneous expiries
    /// come out in a defined order (the heap itself does not order equal elements).
    private struct QueuedExpiry: Comparable {
        enum Kind: UInt8 { case entry, typing, membership }
        var at: Instant
        var kind: Kind
        var key: EntryKey

        static func < (lhs: QueuedExpiry, rhs: QueuedExpiry) -> Bool {
            (lhs.at, lhs.kind.rawValue, lhs.key) < (rhs.at, rhs.kind.rawValue, rhs.key)
        }
    }

    private var entries: [EntryKey: EntryRecord] = [:]
    private var typing: [EntryKey: TypingRecord] = [:]
    private var rooms: [RoomID: Room] = [:]
    private var lastSeenByClient: [ClientID: LastSeen] = [:]
    private var queue = Heap<QueuedExpiry>()
    /// Whether the queue's head is known to be exact (due when its record expires), so that checking it
    /// again needs no lookup of its record. Set when pruning stops at an exact head; cleared by every
    /// change that could move the head or its record: any change to the queue, refreshing the head's own
    /// entry, and every operation other than a heartbeat. A heartbeat for another entry — most calls —
    /// keeps it, so the server's expiry check before and after each heartbeat costs no hash lookup.
    private var headIsExact = false

    /// Whether entries expire through ``activeExpireCycle(now:loop:recordLastSeen:using:into:)`` and
    /// ``expireIfNeeded(_:now:recordLastSeen:)`` (Redis's own expiry) instead of the expiry queue.
    public let samplesVolatileKeys: Bool
    /// The keys of every entry record, dense, in the order the active cycle scans them (a random
    /// permutation: keys at `placed...` have not been shuffled in yet). Empty unless `samplesVolatileKeys`.
    private var volatileKeys: [EntryKey] = []
    private var placed = 0
    /// Where the active cycle's scan resumes.
    private var cursor = 0

    /// - Parameter samplesVolatileKeys: entries expire as in Redis (lazily on access and by the active
    ///   cycle) rather than through ``expire(through:recordLastSeen:into:)``; typing flags and member
    ///   sets expire through the queue either way.
    public init(samplesVolatileKeys: Bool = false) { self.samplesVolatileKeys = samplesVolatileKeys }

    // MARK: Entries

    /// Writes or refreshes an entry: it is live until `now + ttl`.
    ///
    /// - Parameters:
    ///   - status: the status to store; `nil` keeps the stored one (`.online` for a new entry).
    ///   - payloadBytes: the metadata size to store; `nil` keeps the stored one (0 for a new entry).
    /// - Returns: `.joined` when the entry was not live before, `.statusChanged` when a live entry's
    ///   status changed, otherwise nil.
    @discardableResult
    public mutating func heartbeat(
        _ key: EntryKey, now: Instant, ttl: Interval, status: PresenceStatus? = nil, payloadBytes: Int? = nil
    ) -> Event? {
        let expiresAt = now + ttl
        let change: Change?
        if headIsExact, let head = queue.min, head.kind == .entry, head.key == key { headIsExact = false }
        // One hash lookup: the record is read and written back through its index.
        if let index = entries.index(forKey: key) {
            var record = entries.values[index]
            let wasLive = now < record.entry.expiresAt
            let oldStatus = record.entry.status
            record.entry.expiresAt = expiresAt
            record.entry.lastHeartbeat = now
            if let status { record.entry.status = status }
            if let payloadBytes { record.entry.payloadBytes = payloadBytes }
            if expiresAt < record.queuedAt, !samplesVolatileKeys {
                record.queuedAt = expiresAt
                headIsExact = false
                queue.insert(QueuedExpiry(at: expiresAt, kind: .entry, key: key))
            }
            entries.values[index] = record
            if !wasLive {
                change = .joined(key, record.entry.status)
            } else if record.entry.status != oldStatus {
                change = .statusChanged(key, from: oldStatus, to: record.entry.status)
            } else {
                change = nil
            }
        } else {
            let entry = Entry(
                status: status ?? .online, payloadBytes: payloadBytes ?? 0, expiresAt: expiresAt, lastHeartbeat: now)
            if samplesVolatileKeys {
                entries[key] = EntryRecord(entry: entry, queuedAt: .distantFuture, slot: Int32(volatileKeys.count))
                volatileKeys.append(key)
            } else {
                entries[key] = EntryRecord(entry: entry, queuedAt: expiresAt)
                headIsExact = false
                queue.insert(QueuedExpiry(at: expiresAt, kind: .entry, key: key))
            }
            rooms[key.room, default: Room()].entryClients.insert(key.client)
            change = .joined(key, entry.status)
        }
        return change.map { event($0) }
    }

    /// Removes an entry at once (a clean leave, or a disconnect handler).
    /// - Returns: `.left` if the entry was live, otherwise nil (removing an expired entry reclaims it silently).
    @discardableResult
    public mutating func remove(_ key: EntryKey, now: Instant, recordLastSeen: Bool) -> Event? {
        headIsExact = false
        guard let record = entries.removeValue(forKey: key) else { return nil }
        dropFromIndex(entryOf: key)
        if record.slot >= 0 { dropVolatileKey(at: Int(record.slot)) }
        // The queued item stays behind; `pruneQueueHead` discards it because the record is gone.
        guard now < record.entry.expiresAt else { return nil }
        if recordLastSeen { writeLastSeen(key.client, now: now, lastHeartbeat: record.entry.lastHeartbeat) }
        return event(.left(key))
    }

    /// The live entry at `key`, if any.
    public func entry(_ key: EntryKey, now: Instant) -> Entry? {
        guard let record = entries[key], now < record.entry.expiresAt else { return nil }
        return record.entry
    }

    /// Whether `key` has a live entry at `now` (a Redis `EXISTS`).
    public func isLive(_ key: EntryKey, now: Instant) -> Bool { entry(key, now: now) != nil }

    /// The live entries of a room, by client.
    public func liveEntries(in room: RoomID, now: Instant) -> [(client: ClientID, entry: Entry)] {
        guard let clients = rooms[room]?.entryClients else { return [] }
        var result: [(client: ClientID, entry: Entry)] = []
        result.reserveCapacity(clients.count)
        for client in clients.sorted() {
            if let entry = entry(EntryKey(room: room, client: client), now: now) {
                result.append((client, entry))
            }
        }
        return result
    }

    /// The number of entry records held, live or expired but not yet reclaimed by ``expire(through:recordLastSeen:into:)``.
    public var storedEntryCount: Int { entries.count }

    // MARK: Membership

    /// Adds a client to a room's member set (a Redis `SADD`).
    ///
    /// - Parameter membershipTTL: when given, the whole set expires this long after now (a Redis `EXPIRE`
    ///   on the set key, refreshed by each join, as design B does with 10 × TTL).
    /// - Returns: whether the client was not a member before.
    @discardableResult
    public mutating func addMember(_ client: ClientID, to room: RoomID, now: Instant, membershipTTL: Interval? = nil)
        -> Bool
    {
        headIsExact = false
        // Moved out of the dictionary so that the member set is uniquely referenced and grows in place.
        var state = rooms.removeValue(forKey: room) ?? Room()
        if state.membershipExpiresAt <= now {
            // The set key expired and nobody reclaimed it: it is gone, not resurrected by this join.
            state.members.removeAll()
            state.membershipExpiresAt = .distantFuture
        }
        let inserted = state.members.insert(client).inserted
        if let membershipTTL {
            let expiresAt = now + membershipTTL
            state.membershipExpiresAt = expiresAt
            if state.membershipQueuedAt.map({ expiresAt < $0 }) ?? true {
                state.membershipQueuedAt = expiresAt
                queue.insert(
                    QueuedExpiry(at: expiresAt, kind: .membership, key: EntryKey(room: room, client: .init(0))))
            }
        }
        rooms[room] = state
        return inserted
    }

    /// Removes a client from a room's member set (a Redis `SREM`). Returns whether it was a member.
    @discardableResult
    public mutating func removeMember(_ client: ClientID, from room: RoomID) -> Bool {
        headIsExact = false
        guard rooms[room]?.members.remove(client) != nil else { return false }
        dropRoomIfEmpty(room)
        return true
    }

    /// A room's members, by client.
    ///
    /// - Parameter liveOnly: `false` returns the raw set, ghosts included (what design A's initial-paint
    ///   API reads); `true` keeps only members with a live entry in the room (what design B's room read does).
    public func members(of room: RoomID, now: Instant, liveOnly: Bool) -> [ClientID] {
        guard let state = rooms[room], now < state.membershipExpiresAt else { return [] }
        guard liveOnly else { return state.members.sorted() }
        // Filter into storage reserved once, then sort: `filter` would grow its result step by step.
        var live: [ClientID] = []
        live.reserveCapacity(state.members.count)
        for client in state.members where isLive(EntryKey(room: room, client: client), now: now) {
            live.append(client)
        }
        live.sort()
        return live
    }

    /// When the room's member set expires (`distantFuture` when it has no TTL).
    public func membershipExpiry(of room: RoomID) -> Instant { rooms[room]?.membershipExpiresAt ?? .distantFuture }

    /// Whether `client` is in the room's raw member set.
    public func isMember(_ client: ClientID, of room: RoomID, now: Instant) -> Bool {
        guard let state = rooms[room], now < state.membershipExpiresAt else { return false }
        return state.members.contains(client)
    }

    // MARK: Subscribers

    /// Counts a subscriber of the room's changes (a socket joined to the room, an `onChange` listener).
    public mutating func subscribe(to room: RoomID) {
        headIsExact = false
        rooms[room, default: Room()].subscribers += 1
    }

    /// Removes one subscriber. Unsubscribing from a room without subscribers is a caller bug.
    public mutating func unsubscribe(from room: RoomID) {
        headIsExact = false
        guard var state = rooms[room], state.subscribers > 0 else {
            preconditionFailure("unsubscribe(from: \(room)) without a subscription")
        }
        state.subscribers -= 1
        rooms[room] = state
        dropRoomIfEmpty(room)
    }

    public func subscribers(of room: RoomID) -> Int { rooms[room]?.subscribers ?? 0 }

    // MARK: Typing

    /// Marks the client as typing in the room until `now + ttl` (or until cleared, when `ttl` is nil).
    /// - Returns: `.typingStarted` if the client was not typing.
    @discardableResult
    public mutating func startTyping(_ key: EntryKey, now: Instant, ttl: Interval?) -> Event? {
        headIsExact = false
        let until = ttl.map { now + $0 } ?? .distantFuture
        var record = typing[key] ?? TypingRecord(until: .distantFuture, queuedAt: nil)
        let wasTyping = typing[key].map { now < $0.until } ?? false
        record.until = until
        if until != .distantFuture, record.queuedAt.map({ until < $0 }) ?? true {
            record.queuedAt = until
            queue.insert(QueuedExpiry(at: until, kind: .typing, key: key))
        }
        if typing.updateValue(record, forKey: key) == nil {
            rooms[key.room, default: Room()].typingClients.insert(key.client)
        }
        return wasTyping ? nil : event(.typingStarted(key))
    }

    /// Clears the typing flag. Returns `.typingStopped(expired: false)` if the client was typing.
    @discardableResult
    public mutating func stopTyping(_ key: EntryKey, now: Instant) -> Event? {
        headIsExact = false
        guard let record = typing.removeValue(forKey: key) else { return nil }
        rooms[key.room]?.typingClients.remove(key.client)
        dropRoomIfEmpty(key.room)
        return now < record.until ? event(.typingStopped(key, expired: false)) : nil
    }

    /// Whether the client is typing in the room at `now`.
    public func isTyping(_ key: EntryKey, now: Instant) -> Bool {
        typing[key].map { now < $0.until } ?? false
    }

    /// The clients typing in a room, by client.
    public func typingClients(in room: RoomID, now: Instant) -> [ClientID] {
        guard let clients = rooms[room]?.typingClients else { return [] }
        var typingNow: [ClientID] = []
        typingNow.reserveCapacity(clients.count)
        for client in clients where isTyping(EntryKey(room: room, client: client), now: now) {
            typingNow.append(client)
        }
        typingNow.sort()
        return typingNow
    }

    // MARK: Last seen

    /// The client's last-seen record, if one was written.
    public func lastSeen(of client: ClientID) -> LastSeen? { lastSeenByClient[client] }

    /// Writes a last-seen record directly (a design that stores last seen on its own schedule).
    public mutating func writeLastSeen(_ client: ClientID, now: Instant, lastHeartbeat: Instant) {
        lastSeenByClient[client] = LastSeen(writtenAt: now, lastHeartbeat: lastHeartbeat)
    }

    // MARK: Expiry

    /// The earliest instant at which something stored will expire, or nil when nothing will.
    ///
    /// Refreshing an entry does not move its queued item; the item is re-queued at the entry's new expiry
    /// when it reaches the head. So each record has one queued item and this call is amortised O(log n).
    public mutating func nextExpiry() -> Instant? {
        pruneQueueHead()
        return queue.min?.at
    }

    /// Removes everything that has expired at or before `now` and appends the changes to `events`, in
    /// (instant, kind, room, client) order.
    ///
    /// - Parameter recordLastSeen: write a last-seen record for each expired entry (at `now`, the time
    ///   the caller noticed, with the entry's last heartbeat).
    public mutating func expire(through now: Instant, recordLastSeen: Bool, into events: inout [Event]) {
        while true {
            pruneQueueHead()
            guard let head = queue.min, head.at <= now else { return }
            queue.removeMin()
            headIsExact = false
            switch head.kind {
            case .entry:
                let record = entries.removeValue(forKey: head.key)!
                dropFromIndex(entryOf: head.key)
                if recordLastSeen {
                    writeLastSeen(head.key.client, now: now, lastHeartbeat: record.entry.lastHeartbeat)
                }
                events.append(event(.expired(head.key), deadline: record.entry.expiresAt))
            case .typing:
                typing.removeValue(forKey: head.key)
                rooms[head.key.room]?.typingClients.remove(head.key.client)
                events.append(event(.typingStopped(head.key, expired: true)))
                dropRoomIfEmpty(head.key.room)
            case .membership:
                let room = head.key.room
                var state = rooms[room]!
                let dropped = state.members.count
                state.members.removeAll()
                state.membershipExpiresAt = .distantFuture
                state.membershipQueuedAt = nil
                rooms[room] = state
                events.append(event(.membershipExpired(room, members: dropped)))
                dropRoomIfEmpty(room)
            }
        }
    }

    /// Loses all state (a store restart), except last-seen records, which the reference designs keep in
    /// a database, and subscriber counts, which belong to the caller's connections.
    public mutating func restart() {
        entries.removeAll()
        typing.removeAll()
        volatileKeys.removeAll()
        placed = 0
        cursor = 0
        queue = Heap()
        headIsExact = false
        for (room, state) in rooms {
            if state.subscribers > 0 {
                rooms[room] = Room(subscribers: state.subscribers)
            } else {
                rooms[room] = nil
            }
        }
    }

    // MARK: Internals

    private func event(_ change: Change, deadline: Instant? = nil) -> Event {
        Event(change: change, subscribers: subscribers(of: change.room), deadline: deadline)
    }

    /// Pops queue items that no longer match a record, and re-queues items whose record was refreshed to
    /// a later expiry, until the head is due exactly when its record expires.
    private mutating func pruneQueueHead() {
        guard !headIsExact else { return }
        while let head = queue.min {
            switch head.kind {
            case .entry:
                guard let index = entries.index(forKey: head.key), entries.values[index].queuedAt == head.at else {
                    queue.removeMin()
                    continue
                }
                let expiresAt = entries.values[index].entry.expiresAt
                if expiresAt == head.at {
                    headIsExact = true
                    return
                }
                queue.removeMin()
                entries.values[index].queuedAt = expiresAt
                queue.insert(QueuedExpiry(at: expiresAt, kind: .entry, key: head.key))
            case .typing:
                guard var record = typing[head.key], record.queuedAt == head.at else {
                    queue.removeMin()
                    continue
                }
                if record.until == head.at {
                    headIsExact = true
                    return
                }
                queue.removeMin()
                if record.until == .distantFuture {
                    record.queuedAt = nil
                } else {
                    record.queuedAt = record.until
                    queue.insert(QueuedExpiry(at: record.until, kind: .typing, key: head.key))
                }
                typing[head.key] = record
            case .membership:
                let room = head.key.room
                guard var state = rooms[room], state.membershipQueuedAt == head.at else {
                    queue.removeMin()
                    continue
                }
                if state.membershipExpiresAt == head.at {
                    headIsExact = true
                    return
                }
                queue.removeMin()
                if state.membershipExpiresAt == .distantFuture {
                    state.membershipQueuedAt = nil
                } else {
                    state.membershipQueuedAt = state.membershipExpiresAt
                    queue.insert(QueuedExpiry(at: state.membershipExpiresAt, kind: .membership, key: head.key))
                }
                rooms[room] = state
                dropRoomIfEmpty(room)
            }
        }
    }

    private mutating func dropFromIndex(entryOf key: EntryKey) {
        rooms[key.room]?.entryClients.remove(key.client)
        dropRoomIfEmpty(key.room)
    }

    private mutating func dropRoomIfEmpty(_ room: RoomID) {
        if rooms[room]?.isEmpty == true { rooms[room] = nil }
    }
}

// MARK: - Redis's expiry

extension PresenceStore {
    /// One active-expiry cycle's limits (Redis's `activeExpireCycle`, src/expire.c).
    public struct ExpiryLoop: Sendable, Equatable {
        /// Keys sampled per loop.
        public var keysPerLoop: Int
        /// The loop repeats while more than this percentage of its sample had expired.
        public var acceptableStalePercent: Int
        /// The time budget as loops: Redis checks its clock every 16 loops and stops once over budget, so a
        /// cycle runs the smallest multiple of 16 loops that reaches this.
        public var budgetLoops: Int

        public init(keysPerLoop: Int, acceptableStalePercent: Int, budgetLoops: Int) {
            self.keysPerLoop = keysPerLoop
            self.acceptableStalePercent = acceptableStalePercent
            self.budgetLoops = budgetLoops
        }
    }

    /// What one cycle did.
    public struct CycleOutcome: Sendable, Equatable {
        public var loops = 0
        public var sampled = 0
        public var expired = 0
        /// Whether the cycle stopped on its time budget rather than on a sample with few expired keys.
        public var hitBudget = false
        public init() {}
    }

    /// The number of entry records with a TTL the active cycle samples from.
    public var volatileKeyCount: Int { volatileKeys.count }

    /// Runs one active-expiry cycle at `now`, as Redis 7 does: each loop visits the next `keysPerLoop`
    /// keys in scan order, deletes those that have expired, and the cycle repeats while more than
    /// `acceptableStalePercent` of a loop's sample had expired, within `budgetLoops`.
    ///
    /// Redis scans its table of keys with a TTL with a cursor (`dictScan`), so a key's place in the scan
    /// is its hash: random, but fixed while it exists. The store keeps the keys in a dense array that is a
    /// random permutation — each new key is shuffled in at a random place (inside-out Fisher–Yates, with
    /// `random`) when the next cycle starts — and the cursor walks it; a deleted key's place is taken by
    /// the last key (swap-remove). Every step is O(1) per key visited.
    ///
    /// - Parameters:
    ///   - random: the caller's stream; drawn from only to place keys added since the last cycle.
    ///   - recordLastSeen: write a last-seen record for each expired entry, at `now`.
    public mutating func activeExpireCycle<Random: RandomNumberGenerator>(
        now: Instant, loop: ExpiryLoop, recordLastSeen: Bool, using random: inout Random, into events: inout [Event]
    ) -> CycleOutcome {
        placeNewVolatileKeys(using: &random)
        var outcome = CycleOutcome()
        while !volatileKeys.isEmpty {
            let wanted = min(loop.keysPerLoop, volatileKeys.count)
            var sampled = 0
            var expired = 0
            while sampled < wanted, !volatileKeys.isEmpty {
                if cursor >= volatileKeys.count { cursor = 0 }
                let key = volatileKeys[cursor]
                sampled += 1
                if let event = expireIfNeeded(key, now: now, recordLastSeen: recordLastSeen) {
                    // The last key moved into the cursor's place: it is the next one visited.
                    expired += 1
                    events.append(event)
                } else {
                    cursor += 1
                }
            }
            outcome.loops += 1
            outcome.sampled += sampled
            outcome.expired += expired
            if outcome.loops % 16 == 0, outcome.loops >= loop.budgetLoops {
                outcome.hitBudget = true
                break
            }
            if expired * 100 / sampled <= loop.acceptableStalePercent { break }
        }
        return outcome
    }

    /// Redis's lazy expiry: an access to a key that has expired but is still stored deletes it, and
    /// that deletion is its `expired` event. Returns the event, or nil when the key is live or absent.
    ///
    /// Only a store that ``samplesVolatileKeys`` keeps expired entries stored for this to find (a queue
    /// store reclaims them silently on the next write).
    public mutating func expireIfNeeded(_ key: EntryKey, now: Instant, recordLastSeen: Bool) -> Event? {
        guard samplesVolatileKeys, let index = entries.index(forKey: key) else { return nil }
        let record = entries.values[index]
        guard record.entry.expiresAt <= now else { return nil }
        entries.remove(at: index)
        headIsExact = false
        dropFromIndex(entryOf: key)
        dropVolatileKey(at: Int(record.slot))
        if recordLastSeen { writeLastSeen(key.client, now: now, lastHeartbeat: record.entry.lastHeartbeat) }
        return event(.expired(key), deadline: record.entry.expiresAt)
    }

    /// Lazy expiry of every stored entry of `room` (a read that touches each of the room's keys).
    public mutating func expireIfNeeded(
        entriesOf room: RoomID, now: Instant, recordLastSeen: Bool, into events: inout [Event]
    ) {
        guard samplesVolatileKeys, let clients = rooms[room]?.entryClients else { return }
        for client in clients.sorted() {
            if let event = expireIfNeeded(
                EntryKey(room: room, client: client), now: now, recordLastSeen: recordLastSeen)
            {
                events.append(event)
            }
        }
    }

    /// Shuffles the keys added since the last cycle in at random places (inside-out Fisher–Yates).
    private mutating func placeNewVolatileKeys<Random: RandomNumberGenerator>(using random: inout Random) {
        while placed < volatileKeys.count {
            let other = Int(random.next() % UInt64(placed + 1))
            if other != placed {
                volatileKeys.swapAt(other, placed)
                entries[volatileKeys[other]]?.slot = Int32(other)
                entries[volatileKeys[placed]]?.slot = Int32(placed)
            }
            placed += 1
        }
    }

    /// Removes the key at `slot` from the dense array: the last key takes its place.
    private mutating func dropVolatileKey(at slot: Int) {
        let last = volatileKeys.count - 1
        if slot != last {
            let moved = volatileKeys[last]
            volatileKeys[slot] = moved
            entries[moved]?.slot = Int32(slot)
        }
        volatileKeys.removeLast()
        placed = min(placed, volatileKeys.count)
    }
}

// MARK: - Invariants

extension PresenceStore {
    /// Checks the store's internal consistency; for tests. Traps with a description of the first violation.
    ///
    /// - After ``expire(through:recordLastSeen:into:)`` at `now`, no record is due at or before `now`.
    /// - Every record has one queued item, no later than its expiry; the room indexes agree with the records.
    public func checkInvariants(expiredThrough now: Instant?) {
        var queued: [EntryKey: Instant] = [:]
        var queuedTyping: [EntryKey: Instant] = [:]
        var queuedMembership: [RoomID: Instant] = [:]
        for item in queue.unordered {
            switch item.kind {
            case .entry where entries[item.key]?.queuedAt == item.at: queued[item.key] = item.at
            case .typing where typing[item.key]?.queuedAt == item.at: queuedTyping[item.key] = item.at
            case .membership where rooms[item.key.room]?.membershipQueuedAt == item.at:
                queuedMembership[item.key.room] = item.at
            default: break
            }
        }
        if headIsExact {
            guard let head = queue.min else { preconditionFailure("the head of an empty queue is marked exact") }
            let expiresAt: Instant? =
                switch head.kind {
                case .entry: entries[head.key].flatMap { $0.queuedAt == head.at ? $0.entry.expiresAt : nil }
                case .typing: typing[head.key].flatMap { $0.queuedAt == head.at ? $0.until : nil }
                case .membership:
                    rooms[head.key.room].flatMap { $0.membershipQueuedAt == head.at ? $0.membershipExpiresAt : nil }
                }
            precondition(
                expiresAt == head.at,
                "\(head.key): the head is marked exact but its record expires at \(String(describing: expiresAt))")
        }
        precondition(volatileKeys.count == (samplesVolatileKeys ? entries.count : 0), "volatile keys miscounted")
        for (slot, key) in volatileKeys.enumerated() {
            precondition(entries[key]?.slot == Int32(slot), "\(key): not at its slot \(slot) of the volatile keys")
        }
        for (key, record) in entries {
            if samplesVolatileKeys {
                precondition(record.slot >= 0, "\(key): sampled store without a slot")
                precondition(
                    rooms[key.room]?.entryClients.contains(key.client) == true, "\(key): missing from room index")
                continue
            }
            precondition(queued[key] == record.queuedAt, "\(key): no queued expiry item at \(record.queuedAt)")
            precondition(record.queuedAt <= record.entry.expiresAt, "\(key): queued after its expiry")
            precondition(rooms[key.room]?.entryClients.contains(key.client) == true, "\(key): missing from room index")
            if let now {
                precondition(
                    now < record.entry.expiresAt,
                    "\(key): expired at \(record.entry.expiresAt) but still stored at \(now)")
            }
        }
        for (key, record) in typing {
            if record.until != .distantFuture {
                precondition(queuedTyping[key] == record.queuedAt, "\(key): typing flag without a queued expiry")
                if let now { precondition(now < record.until, "\(key): typing flag past its expiry") }
            }
            precondition(rooms[key.room]?.typingClients.contains(key.client) == true, "\(key): typing index")
        }
        for (room, state) in rooms {
            precondition(!state.isEmpty, "\(room): empty room kept")
            precondition(state.subscribers >= 0, "\(room): negative subscribers")
            for client in state.entryClients {
                precondition(entries[EntryKey(room: room, client: client)] != nil, "\(room): index lists \(client)")
            }
            for client in state.typingClients {
                precondition(typing[EntryKey(room: room, client: client)] != nil, "\(room): typing lists \(client)")
            }
            if let queuedAt = state.membershipQueuedAt {
                precondition(queuedMembership[room] == queuedAt, "\(room): membership expiry not queued")
                if let now { precondition(now < state.membershipExpiresAt, "\(room): member set past its expiry") }
            }
        }
    }
}

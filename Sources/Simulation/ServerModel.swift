import PresenceCore
import Scenario

/// The server's timers.
public enum ServerTimer: Hashable, Sendable {
    /// The store's next expiry instant (`protocol.expiry` "exact").
    case expiry
    /// A periodic expiry sweep (`protocol.expiry` an interval; design A's expired-key worker).
    case sweep
    /// Redis's active-expiry cycle (`protocol.expiry` "redis"), `hz` times a second.
    case activeExpiry
    /// A leave grace period ends: announce the entry offline unless it came back (the key's room is
    /// ``RoomID/userKeys`` for a user's own key, announced in all its rooms).
    case graceEnd(EntryKey)
    /// A room's batched changes go out.
    case flush(RoomID)
}

/// An input to the server.
public enum ServerInput: Hashable, Sendable {
    case message(from: ClientID, Uplink)
    case timer(ServerTimer, tag: UInt32)
    /// The transport's ping to one of a client's sockets: `answered` tells whether a pong came back
    /// (the network knows whether the socket still reaches a live client).
    case ping(ClientID, ConnectionID, answered: Bool)
    /// The transport gave up on a socket (no pong within the ping timeout).
    case pingTimeout(ClientID, ConnectionID)
    /// A `restart-core` fault.
    case restartCore
    /// A `restart-server` fault.
    case restartServer

    /// The client the input is about: a message's sender, a pinged socket's client, the client whose leave
    /// grace ends; nil for the server's own timers and faults.
    public var client: ClientID? {
        switch self {
        case .message(let client, _), .ping(let client, _, _), .pingTimeout(let client, _): client
        case .timer(.graceEnd(let key), _): key.client
        case .timer, .restartCore, .restartServer: nil
        }
    }
}

/// What handling a server input asks the engine to do, in order.
public enum ServerEffect: Hashable, Sendable {
    /// A message to one client; the engine draws its latency from the recipient's downlink stream.
    case deliver(to: ClientID, Inbound)
    /// One presence or typing change of `subject` (nil for a batch, which carries several) was pushed to
    /// this many recipients in the room.
    case fanout(recipients: Int, room: RoomID, subject: ClientID?)
    case schedule(ServerTimer, tag: UInt32, at: Instant)
    /// Ping the client's socket at `at` (transport liveness, Socket.IO's pingInterval).
    case ping(ClientID, ConnectionID, at: Instant)
    /// Give up on the socket at `at` unless something changes (Socket.IO's pingTimeout).
    case pingTimeout(ClientID, ConnectionID, at: Instant)
    /// What the store shows of a client from now on, unless something changes first: the design's own read
    /// shows it until `readUntil` (design A: the family set; B: the room read; C: the live entries), and its
    /// key exists until `keyUntil`.
    case storeView(ClientID, readUntil: Instant, keyUntil: Instant)
    /// The design wrote a last-seen value for the client.
    case lastSeen(ClientID, Instant)
    /// Store operations as the reference design would issue them to Redis; `of` names the client whose key
    /// a server timer worked on (nil: the client whose message caused them, or the server itself).
    case storeOps(Int, of: ClientID? = nil)
    /// The store deleted the client's expired key now (a sweep, Redis's active cycle or a lazy expiry on
    /// access): `deadline` is when it had expired, so `now − deadline` is the expiry's lag.
    case keyExpired(ClientID, deadline: Instant)
}

extension RoomID {
    /// Where designs A and B keep each user's own key (`presence:user:{u}`, `presence:{u}`): outside every
    /// room, so that a client in several rooms has one key.
    public static let userKeys = RoomID(rawValue: .max)
}

extension Uplink {
    /// Whether the message can change what the store holds about its sender.
    fileprivate var changesStore: Bool {
        switch self {
        case .heartbeat, .beacon, .leave, .joinRoom, .leaveRoom: true
        case .connect, .close, .pollRoom, .pollUsers, .pollTyping, .typing: false
        }
    }
}

/// The server side of a presence design: its handlers over the presence store.
///
/// Pure like the client model: inputs with `now`, effects out. The three reference designs differ in a
/// handful of decisions, each a knob of `protocol` with the design's reference default; this type
/// implements the knobs, so an override (a worker on design A, push on design C with a grace period)
/// combines with any design.
public struct PresenceServer: Sendable {
    private let settings: ModelSettings
    private let population: Population
    private var store: PresenceStore
    /// Redis's active-expiry cycle, with `protocol.expiry` "redis".
    private var activeExpiry: ActiveExpiry?

    /// Each client's open sockets: the current one and, until the transport notices it is dead, the one
    /// it replaced (a reconnect within the ping timeout leaves a zombie socket behind).
    private var sockets: [(current: ConnectionID?, zombie: ConnectionID?)]
    /// Pending offline announcements under `leaveGrace`, by entry: the tag of the grace timer.
    private var graceTags: [EntryKey: UInt32] = [:]
    private var graceCounter: UInt32 = 0
    /// Batched changes per room, in arrival order, one per subject.
    private var pendingBatches: [RoomID: [ViewEntry]] = [:]
    /// The earliest expiry wake-up already scheduled.
    private var scheduledExpiry = Instant.distantFuture
    private var scratch: [PresenceStore.Event] = []

    public init(settings: ModelSettings, population: Population) {
        self.settings = settings
        self.population = population
        sockets = Array(repeating: (nil, nil), count: population.clientCount)
        activeExpiry = ActiveExpiry(settings: settings)
        store = PresenceStore(samplesVolatileKeys: activeExpiry != nil)
    }

    private var presence: PresenceProtocol { settings.presence }
    private var design: Design { presence.design }

    /// Effects to start the run with (the periodic sweep).
    public mutating func start(now: Instant, into effects: inout [ServerEffect]) {
        if case .sweep(let interval) = presence.expiry {
            effects.append(.schedule(.sweep, tag: 0, at: now + interval))
        }
        if let activeExpiry { effects.append(.schedule(.activeExpiry, tag: 0, at: now + activeExpiry.period)) }
    }

    /// Whether the store's expiry queue is followed at each expiry instant: with "exact", and with
    /// "redis" for typing flags and member sets (entries then expire through the active cycle).
    private var followsExpiryQueue: Bool {
        switch presence.expiry {
        case .exact, .redis: true
        case .sweep, .off: false
        }
    }

    public mutating func handle(_ input: ServerInput, now: Instant, into effects: inout [ServerEffect]) {
        // Expiry comes first at an instant: an entry due at `now` is gone before anything else happens then.
        if scheduledExpiry <= now { scheduledExpiry = .distantFuture }
        if followsExpiryQueue { expire(now, &effects) }
        switch input {
        case .message(let client, let message): receive(message, from: client, now, &effects)
        case .timer(.expiry, _): break  // Handled above, like every input.
        case .timer(.sweep, _):
            guard case .sweep(let interval) = presence.expiry else { break }
            expire(now, &effects)
            effects.append(.schedule(.sweep, tag: 0, at: now + interval))
        case .timer(.activeExpiry, _):
            guard var cycle = activeExpiry else { break }
            scratch.removeAll(keepingCapacity: true)
            cycle.run(on: &store, now: now, recordLastSeen: design == .socketioRedis, into: &scratch)
            activeExpiry = cycle
            expired(scratch, now, &effects)
            effects.append(.schedule(.activeExpiry, tag: 0, at: now + cycle.period))
        case .timer(.graceEnd(let key), let tag):
            guard graceTags[key] == tag else { return }
            graceTags[key] = nil
            send(ViewEntry(subject: key.client, status: .offline), in: key.room, now, &effects)
        case .timer(.flush(let room), _):
            flush(room, now, &effects)
        case .ping(let client, let id, let answered):
            guard isOpen(id, of: client) else { return }
            if answered, let interval = presence.pingInterval {
                effects.append(.ping(client, id, at: now + interval))
            } else {
                effects.append(.pingTimeout(client, id, at: now + presence.pingTimeout))
            }
        case .pingTimeout(let client, let id):
            guard isOpen(id, of: client) else { return }
            disconnect(client, id, now, &effects)
        case .restartCore:
            restart(now, &effects)
        case .restartServer:
            // Design C keeps its entries in the server itself: for it a server restart is a core restart.
            if design == .ttlEntries { restart(now, &effects) } else { restartServer(&effects) }
        }
        scheduleExpiry(&effects)
    }

    // MARK: Messages

    private mutating func receive(
        _ message: Uplink, from client: ClientID, _ now: Instant, _ effects: inout [ServerEffect]
    ) {
        handle(message, from: client, now, &effects)
        if message.changesStore { views(of: client, now, &effects) }
    }

    private mutating func handle(
        _ message: Uplink, from client: ClientID, _ now: Instant, _ effects: inout [ServerEffect]
    ) {
        switch message {
        case .connect(let id):
            connect(client, id, now, &effects)
        case .close(let id):
            if isOpen(id, of: client) { disconnect(client, id, now, &effects) }
        case .heartbeat(let status, let room):
            // A socket design hears a client only over an open socket.
            guard hears(client) else { return }
            write(EntryKey(room: room ?? .userKeys, client: client), status: status, now, &effects)
        case .beacon(let status):
            guard hears(client) else { return }
            write(EntryKey(room: .userKeys, client: client), status: status, now, &effects)
        case .leave(let room):
            effects.append(.storeOps(1))
            let key = EntryKey(room: room, client: client)
            touch(key, now, &effects)
            if let event = store.remove(key, now: now, recordLastSeen: false) { announce(event, now, &effects) }
        case .joinRoom(let room):
            store.addMember(client, to: room, now: now, membershipTTL: presence.roomSetTTL)
            effects.append(.storeOps(presence.roomSetTTL == nil ? 1 : 2))
            if presence.roomSetTTL != nil {
                // The join refreshed the whole set's expiry: every member's read moves with it.
                for member in population.members(of: room) where member != client.rawValue {
                    views(of: ClientID(rawValue: member), now, &effects)
                }
            }
        case .leaveRoom(let room):
            store.removeMember(client, from: room)
            effects.append(.storeOps(1))
        case .pollRoom(let room):
            touchRoomRead(room, now, &effects)
            let entries = roomRead(room, except: client, now)
            effects.append(.storeOps(roomReadCost(room, now)))
            effects.append(.deliver(to: client, .roomSnapshot(RoomView(room: room, entries: entries))))
        case .pollUsers(let room, _):
            effects.append(.storeOps(population.size(of: room) - 1))
            if activeExpiry != nil {
                for member in population.members(of: room) where member != client.rawValue {
                    touch(EntryKey(room: .userKeys, client: ClientID(rawValue: member)), now, &effects)
                }
            }
            userPoll(by: client, in: room, now, &effects)
        case .pollTyping(let room):
            effects.append(.storeOps(1))
            let typing = store.typingClients(in: room, now: now).filter { $0 != client }
            effects.append(.deliver(to: client, .typingSnapshot(room, typing)))
        case .typing(let room, let isTyping):
            typing(EntryKey(room: room, client: client), isTyping, now, &effects)
        }
    }

    /// Whether a message from the client reaches the server: over HTTP always, in a socket design only
    /// over an open socket.
    private func hears(_ client: ClientID) -> Bool {
        design == .httpPolling || sockets[client.index].current != nil
    }

    /// The keys that hold the client's presence: the user's own key (designs A and B), or one entry per
    /// room (design C, whose API is per room).
    private func presenceKeys(of client: ClientID) -> [EntryKey] {
        guard design == .ttlEntries else { return [EntryKey(room: .userKeys, client: client)] }
        return population.presenceRooms(of: client).map { EntryKey(room: $0, client: client) }
    }

    /// A socket opens: design A adds the user to each room's set, writes its key and broadcasts online
    /// before joining the rooms; every socket design subscribes it (to its threads too) and sends the first
    /// paint of its rooms.
    private mutating func connect(
        _ client: ClientID, _ id: ConnectionID, _ now: Instant, _ effects: inout [ServerEffect]
    ) {
        let rooms = population.presenceRooms(of: client)
        var socket = sockets[client.index]
        if let current = socket.current {
            socket.zombie = current
        } else {
            for room in population.rooms(of: client) { store.subscribe(to: room) }
        }
        socket.current = id
        sockets[client.index] = socket
        if design == .socketioRedis {
            for room in rooms { store.addMember(client, to: room, now: now, membershipTTL: presence.roomSetTTL) }
            write(EntryKey(room: .userKeys, client: client), status: .online, now, &effects)
            effects.append(.storeOps(rooms.count))
            publish(ViewEntry(subject: client, status: .online), in: .userKeys, now, &effects)
            views(of: client, now, &effects)
        }
        // The first paint: design A's HTTP read of each set; a snapshot of live entries otherwise.
        var cost = 0
        var snapshots: [RoomView] = []
        snapshots.reserveCapacity(rooms.count)
        for room in rooms {
            touchRoomRead(room, now, &effects)
            cost += roomReadCost(room, now)
            snapshots.append(RoomView(room: room, entries: roomRead(room, except: client, now)))
        }
        effects.append(.storeOps(cost))
        effects.append(.deliver(to: client, .connected(id, snapshots: snapshots)))
        if presence.leaveOnDisconnect, let interval = presence.pingInterval {
            effects.append(.ping(client, id, at: now + interval))
        }
    }

    /// A socket closes or times out. Design A's handler runs for any of the user's sockets — so a zombie
    /// socket timing out after a reconnect removes a user who is back (the seed's behaviour).
    private mutating func disconnect(
        _ client: ClientID, _ id: ConnectionID, _ now: Instant, _ effects: inout [ServerEffect]
    ) {
        let rooms = population.presenceRooms(of: client)
        var socket = sockets[client.index]
        if socket.zombie == id {
            socket.zombie = nil
        } else {
            socket.current = socket.zombie
            socket.zombie = nil
            if socket.current == nil {
                for room in population.rooms(of: client) { store.unsubscribe(from: room) }
            }
        }
        sockets[client.index] = socket
        guard presence.leaveOnDisconnect else { return }
        switch design {
        case .socketioRedis:
            for room in rooms { store.removeMember(client, from: room) }
            effects.append(.storeOps(rooms.count))
            effects.append(.lastSeen(client, now))
            publish(ViewEntry(subject: client, status: .offline), in: .userKeys, now, &effects)
        case .httpPolling, .ttlEntries:
            let keys = presenceKeys(of: client)
            effects.append(.storeOps(keys.count))
            var wroteLastSeen = false
            for key in keys {
                touch(key, now, &effects)
                guard let event = store.remove(key, now: now, recordLastSeen: true) else { continue }
                if !wroteLastSeen { effects.append(.lastSeen(client, now)) }
                wroteLastSeen = true
                announce(event, now, &effects)
            }
        }
        views(of: client, now, &effects)
    }

    private func isOpen(_ id: ConnectionID, of client: ClientID) -> Bool {
        let socket = sockets[client.index]
        return socket.current == id || socket.zombie == id
    }

    /// Writes the client's entry (a `SET … EX ttl`, a `heartbeat(data, ttl)`).
    private mutating func write(
        _ key: EntryKey, status: PresenceStatus, _ now: Instant, _ effects: inout [ServerEffect]
    ) {
        touch(key, now, &effects, rewritten: true)
        let event = store.heartbeat(
            key, now: now, ttl: presence.ttl, status: status, payloadBytes: presence.payloadBytes)
        effects.append(.storeOps(1))
        // Design A's key is write-only: its ping never announces anything.
        if let event, design != .socketioRedis { announce(event, now, &effects) }
    }

    private mutating func typing(_ key: EntryKey, _ isTyping: Bool, _ now: Instant, _ effects: inout [ServerEffect]) {
        switch design {
        case .socketioRedis:
            // Relayed as is, per keystroke, to the room: nothing is stored.
            relayTyping(key, isTyping, now, &effects)
        case .httpPolling, .ttlEntries:
            effects.append(.storeOps(1))
            let event =
                isTyping
                ? store.startTyping(key, now: now, ttl: presence.typingTTL) : store.stopTyping(key, now: now)
            if event != nil, case .push = presence.delivery { relayTyping(key, isTyping, now, &effects) }
        }
    }

    // MARK: Expiry

    private mutating func expire(_ now: Instant, _ effects: inout [ServerEffect]) {
        guard let next = store.nextExpiry(), next <= now else { return }
        scratch.removeAll(keepingCapacity: true)
        let writesLastSeen = design == .socketioRedis
        store.expire(through: now, recordLastSeen: writesLastSeen, into: &scratch)
        expired(scratch, now, &effects)
    }

    /// Reacts to what the store expired: the same handling whether a sweep, the exact queue, Redis's active
    /// cycle or an access found it.
    ///
    /// - Parameter rewritten: the write that found the key expired brings it back at once (a `SET` on it),
    ///   so design A's worker, which checks that a key is still gone before it cleans the set, leaves it be.
    private mutating func expired(
        _ events: [PresenceStore.Event], _ now: Instant, _ effects: inout [ServerEffect], rewritten: Bool = false
    ) {
        for event in events { effects.append(.storeOps(1, of: event.change.client)) }
        let reportsLag: Bool
        switch presence.expiry {
        case .sweep, .redis: reportsLag = true
        case .exact, .off: reportsLag = false
        }
        for event in events {
            if reportsLag, case .expired(let key) = event.change, let deadline = event.deadline {
                effects.append(.keyExpired(key.client, deadline: deadline))
            }
            switch event.change {
            case .expired(let key) where design == .socketioRedis:
                // The expired-key worker: clean the sets, write last seen, tell the rooms. A write that found
                // the key expired has just brought it back, so the worker's check that it is gone fails.
                var removed = false
                for room in population.presenceRooms(of: key.client) where !rewritten {
                    if store.removeMember(key.client, from: room) { removed = true }
                }
                if removed {
                    effects.append(.lastSeen(key.client, now))
                    publish(ViewEntry(subject: key.client, status: .offline), in: .userKeys, now, &effects)
                    views(of: key.client, now, &effects)
                }
            case .typingStopped(let key, _):
                if case .push = presence.delivery { relayTyping(key, false, now, &effects) }
            default:
                announce(event, now, &effects)
            }
        }
    }

    private mutating func scheduleExpiry(_ effects: inout [ServerEffect]) {
        guard followsExpiryQueue, let next = store.nextExpiry() else { return }
        if next < scheduledExpiry {
            scheduledExpiry = next
            effects.append(.schedule(.expiry, tag: 0, at: next))
        }
    }

    // MARK: Restart

    /// The store loses everything. Design A's store is Redis: sockets live on, so pings re-create keys but
    /// nothing re-adds users to the sets. Designs B and C keep presence in the server itself: its sockets
    /// drop too, and clients reconnect.
    private mutating func restart(_ now: Instant, _ effects: inout [ServerEffect]) {
        store.restart()
        scheduledExpiry = .distantFuture
        let socketsDrop = design != .socketioRedis
        if socketsDrop { forgetConnectionState() }
        for index in 0..<population.clientCount {
            effects.append(.storeView(ClientID(index), readUntil: now, keyUntil: now))
            if socketsDrop { dropSocket(of: ClientID(index), &effects) }
        }
    }

    /// The application server restarts (a deploy, a crash): every socket drops at once, without its
    /// disconnect handler, and clients reconnect. The store keeps its state — so design A's sets keep the
    /// users whose departure the server had not yet noticed: ghosts only the expired-key worker clears.
    private mutating func restartServer(_ effects: inout [ServerEffect]) {
        forgetConnectionState()
        for index in 0..<population.clientCount { dropSocket(of: ClientID(index), &effects) }
    }

    /// The server's in-memory state about connections: pending leave graces and batches.
    private mutating func forgetConnectionState() {
        graceTags.removeAll()
        pendingBatches.removeAll()
    }

    private mutating func dropSocket(of client: ClientID, _ effects: inout [ServerEffect]) {
        guard sockets[client.index].current != nil else { return }
        for room in population.rooms(of: client) { store.unsubscribe(from: room) }
        sockets[client.index] = (nil, nil)
        effects.append(.deliver(to: client, .closed))
    }

    // MARK: Reads

    /// Tells the recorder what the store now shows of `client`: through the design's own read (in any of
    /// its rooms), and whether its key exists (for design C, any of its room entries).
    private func views(of client: ClientID, _ now: Instant, _ effects: inout [ServerEffect]) {
        var readUntil: Instant? = nil
        var keyUntil: Instant? = nil
        switch design {
        case .socketioRedis, .httpPolling:
            let entry = store.entry(EntryKey(room: .userKeys, client: client), now: now)
            keyUntil = entry?.expiresAt
            // The membership is looked up only while the read can show the client.
            let entryUntil: Instant? =
                design == .socketioRedis ? .distantFuture : entry.flatMap { $0.status.isPresent ? $0.expiresAt : nil }
            guard let entryUntil else { break }
            for room in population.presenceRooms(of: client) where store.isMember(client, of: room, now: now) {
                // Design A's initial paint reads the set (`SMEMBERS`); design B's room read shows members
                // whose key still exists, with the key's status.
                let until = min(entryUntil, store.membershipExpiry(of: room))
                readUntil = max(readUntil ?? until, until)
            }
        case .ttlEntries:
            for room in population.presenceRooms(of: client) {
                guard let entry = store.entry(EntryKey(room: room, client: client), now: now) else { continue }
                keyUntil = max(keyUntil ?? entry.expiresAt, entry.expiresAt)
                if entry.status.isPresent { readUntil = max(readUntil ?? entry.expiresAt, entry.expiresAt) }
            }
        }
        effects.append(.storeView(client, readUntil: readUntil ?? now, keyUntil: keyUntil ?? now))
    }

    /// What a room read returns to `reader`: design A's raw set (ghosts included); otherwise the
    /// members with a live key or entry, with their status.
    private func roomRead(_ room: RoomID, except reader: ClientID, _ now: Instant) -> [ViewEntry] {
        switch design {
        case .socketioRedis:
            return store.members(of: room, now: now, liveOnly: false).compactMap {
                $0 == reader ? nil : ViewEntry(subject: $0, status: .online)
            }
        case .httpPolling:
            return store.members(of: room, now: now, liveOnly: false).compactMap {
                guard $0 != reader, let entry = store.entry(EntryKey(room: .userKeys, client: $0), now: now) else {
                    return nil
                }
                return ViewEntry(subject: $0, status: entry.status)
            }
        case .ttlEntries:
            return store.liveEntries(in: room, now: now).compactMap {
                $0.client == reader ? nil : ViewEntry(subject: $0.client, status: $0.entry.status)
            }
        }
    }

    /// Design B's user poll of one room: each request asks for the next batch of the room's other members
    /// and gets each one's stored status (offline when the key is gone).
    private func userPoll(by client: ClientID, in room: RoomID, _ now: Instant, _ effects: inout [ServerEffect]) {
        var users: [ViewEntry] = []
        for member in population.members(of: room) where member != client.rawValue {
            let subject = ClientID(rawValue: member)
            let status = store.entry(EntryKey(room: .userKeys, client: subject), now: now)?.status ?? .offline
            users.append(ViewEntry(subject: subject, status: status))
            if users.count == presence.userPollBatch {
                effects.append(.deliver(to: client, .usersAnswer(users)))
                users.removeAll()
            }
        }
        if !users.isEmpty { effects.append(.deliver(to: client, .usersAnswer(users))) }
    }

    /// Store operations of a room read: design B reads the set and then each member's key.
    private func roomReadCost(_ room: RoomID, _ now: Instant) -> Int {
        switch design {
        case .socketioRedis, .ttlEntries: 1
        case .httpPolling: 1 + store.members(of: room, now: now, liveOnly: false).count
        }
    }

    // MARK: Announcing changes

    /// Turns a store change into what observers are told: a change of a user's key goes to all its rooms,
    /// a change of a room entry to that room.
    private mutating func announce(_ event: PresenceStore.Event, _ now: Instant, _ effects: inout [ServerEffect]) {
        switch event.change {
        case .joined(let key, let status), .statusChanged(let key, _, let status):
            publish(ViewEntry(subject: key.client, status: status), in: key.room, now, &effects)
        case .left(let key), .expired(let key):
            publish(ViewEntry(subject: key.client, status: .offline), in: key.room, now, &effects)
        case .typingStarted, .typingStopped, .membershipExpired:
            break
        }
    }

    /// Publishes a presence change in `room` (``RoomID/userKeys``: in every room of the subject), through
    /// the leave grace and the batcher when they are on.
    private mutating func publish(
        _ entry: ViewEntry, in room: RoomID, _ now: Instant, _ effects: inout [ServerEffect]
    ) {
        guard case .push = presence.delivery else { return }
        if presence.leaveGrace > .zero {
            let key = EntryKey(room: room, client: entry.subject)
            if !entry.status.isPresent {
                graceCounter &+= 1
                graceTags[key] = graceCounter
                effects.append(.schedule(.graceEnd(key), tag: graceCounter, at: now + presence.leaveGrace))
                return
            }
            if graceTags.removeValue(forKey: key) != nil { return }  // Back within the grace period.
        }
        send(entry, in: room, now, &effects)
    }

    /// Sends a change to the room's subscribers (every room, not thread, of the subject for ``RoomID/userKeys``), now or
    /// with the room's next batch.
    private mutating func send(_ entry: ViewEntry, in scope: RoomID, _ now: Instant, _ effects: inout [ServerEffect]) {
        if scope != .userKeys {
            send(entry, toRoom: scope, now, &effects)
            return
        }
        for room in population.presenceRooms(of: entry.subject) { send(entry, toRoom: room, now, &effects) }
    }

    private mutating func send(_ entry: ViewEntry, toRoom room: RoomID, _ now: Instant, _ effects: inout [ServerEffect])
    {
        if presence.batch > .zero {
            var batch = pendingBatches[room] ?? []
            if batch.isEmpty {
                effects.append(
                    .schedule(.flush(room), tag: 0, at: (now + Interval(nanoseconds: 1)).roundedUp(to: presence.batch)))
            }
            if let index = batch.firstIndex(where: { $0.subject == entry.subject }) {
                batch[index] = entry
            } else {
                batch.append(entry)
            }
            pendingBatches[room] = batch
            return
        }
        broadcast(in: room, except: entry.subject, .presence(room, entry), &effects)
    }

    private mutating func flush(_ room: RoomID, _ now: Instant, _ effects: inout [ServerEffect]) {
        guard let batch = pendingBatches.removeValue(forKey: room), !batch.isEmpty else { return }
        var recipients = 0
        for member in population.members(of: room) where sockets[Int(member)].current != nil {
            recipients += 1
            effects.append(.deliver(to: ClientID(rawValue: member), .presenceBatch(room, batch)))
        }
        effects.append(.fanout(recipients: recipients, room: room, subject: nil))
    }

    private func relayTyping(_ key: EntryKey, _ isTyping: Bool, _ now: Instant, _ effects: inout [ServerEffect]) {
        broadcast(
            in: key.room, except: key.client, .typing(key.room, subject: key.client, isTyping: isTyping), &effects)
    }

    /// Sends a message to every member of the room with an open socket, except the subject.
    private func broadcast(
        in room: RoomID, except subject: ClientID, _ message: Inbound, _ effects: inout [ServerEffect]
    ) {
        var recipients = 0
        for member in population.members(of: room)
        where member != subject.rawValue && sockets[Int(member)].current != nil {
            recipients += 1
            effects.append(.deliver(to: ClientID(rawValue: member), message))
        }
        effects.append(.fanout(recipients: recipients, room: room, subject: subject))
    }
}

// MARK: - Redis's lazy expiry

extension PresenceServer {
    /// An access to the client's key (a `GET`, `SET` or `DEL`): with `protocol.expiry` "redis" a key that
    /// has expired but is still stored is deleted now, and that deletion is its `expired` event.
    fileprivate mutating func touch(
        _ key: EntryKey, _ now: Instant, _ effects: inout [ServerEffect], rewritten: Bool = false
    ) {
        guard activeExpiry != nil,
            let event = store.expireIfNeeded(key, now: now, recordLastSeen: design == .socketioRedis && !rewritten)
        else { return }
        expired([event], now, &effects, rewritten: rewritten)
    }

    /// The keys a room read touches: design B `GET`s each member of the room set, design C's `value()`
    /// reads each entry of the room; design A's read is the set alone.
    fileprivate mutating func touchRoomRead(_ room: RoomID, _ now: Instant, _ effects: inout [ServerEffect]) {
        guard activeExpiry != nil else { return }
        switch design {
        case .socketioRedis:
            return
        case .httpPolling:
            for member in store.members(of: room, now: now, liveOnly: false) {
                touch(EntryKey(room: .userKeys, client: member), now, &effects)
            }
        case .ttlEntries:
            var events: [PresenceStore.Event] = []
            store.expireIfNeeded(entriesOf: room, now: now, recordLastSeen: false, into: &events)
            if !events.isEmpty { expired(events, now, &effects) }
        }
    }
}

import PresenceCore
import Scenario

/// One request a design's server sends to Redis while it handles an input.
public enum StoreRequest: Hashable, Sendable {
    /// Commands written at once, their replies awaited together (one round trip).
    case pipeline([[String]])
    /// `SMEMBERS set`, then one pipelined `GET` of `keyPrefix` + member for each member the reply lists: design
    /// B's room read, two round trips because the second depends on the first.
    case membersThenGet(set: String, keyPrefix: String)
}

/// The Redis commands each design issues, as its seed issues them, for what the in-process server did.
///
/// The in-process ``PresenceServer`` keeps deciding what the design does (who is told what, which socket is
/// open); this mapping reads the input it handled and the effects it returned, and says what the seed's server
/// would have sent to Redis for it. A handler that did no store work (a heartbeat on a socket already closed, a
/// close of a zombie socket) reported no `storeOps`, and sends nothing.
///
/// - Design A (`socketio-redis`, seed 000): connect `SADD presence:family:{f} {u}`, `SET presence:user:{u}
///   {json} PX ttl` and the initial paint's `SMEMBERS presence:family:{f}`; each ping the same `SET`; each
///   disconnect, and each user the expired-key worker clears, `SREM presence:family:{f} {u}` (the seed writes
///   lastSeenAt to its SQL database, not to Redis); the worker's sweep scans one page of the family sets. Typing
///   is relayed over the sockets and touches no key.
/// - Design B (`http-polling`, seed 001): heartbeats and beacons `SET presence:{u} {json} PX ttl` (an offline
///   beacon too: the seed stores the status); join `SADD room:{r} {u}` and `PEXPIRE room:{r} 10×ttl`; leave
///   `SREM`; the room poll `SMEMBERS room:{r}` and then one pipelined `GET presence:{m}` per member; the user
///   poll one pipelined `GET` per member, a request per batch of `userPollBatch`. The seed's typing route has no
///   server code; it is mapped to a key per typist: `SET typing:{r}:{u} 1 PX typingTTL`, `DEL` on stop, and the
///   typing poll one `MGET` of the room's other members' keys.
/// - Design C (`ttl-entries`) keeps its entries in its own server, not in Redis: it has no mapping.
///
/// Every key starts with `keyPrefix`, and TTLs are the scenario's divided by the test's speed, in
/// milliseconds (`PX`), so that a key lives as long in wall-clock time as the model's entry does.
public struct RedisCommands: Sendable {
    public let keyPrefix: String
    private let design: Design
    private let presence: PresenceProtocol
    private let population: Population

    /// The mapping for the scenario's design, or nil for a design that does not keep presence in Redis (C).
    public init?(settings: ModelSettings, population: Population, keyPrefix: String) {
        guard Self.keepsPresenceInRedis(settings.presence.design) else { return nil }
        self.keyPrefix = keyPrefix
        design = settings.presence.design
        presence = settings.presence
        self.population = population
    }

    /// Whether the design's server keeps presence in Redis (A and B do; C keeps entries in its own memory).
    public static func keepsPresenceInRedis(_ design: Design) -> Bool { design != .ttlEntries }

    /// What the design sends to Redis for `input`, handled at simulated `now` with `effects`, in a test
    /// running `speed` simulated seconds per wall-clock second.
    public func requests(for input: ServerInput, effects: [ServerEffect], now: Instant, speed: Double)
        -> [StoreRequest]
    {
        var requests: [StoreRequest] = []
        let storeWork = effects.contains { if case .storeOps(let count, _) = $0 { count > 0 } else { false } }
        var commands: [[String]] = []
        switch (design, input) {
        case (.socketioRedis, .message(let client, .connect)) where storeWork:
            let rooms = population.presenceRooms(of: client)
            commands += rooms.map { ["SADD", familyKey($0), user(client)] }
            commands.append(["SET", userKey(client), familyJSON(client), "PX", milliseconds(presence.ttl, speed)])
            commands += rooms.map { ["SMEMBERS", familyKey($0)] }
        case (.socketioRedis, .message(let client, .heartbeat)), (.socketioRedis, .message(let client, .beacon)):
            if storeWork {
                commands.append(["SET", userKey(client), familyJSON(client), "PX", milliseconds(presence.ttl, speed)])
            }
        case (.socketioRedis, .timer(.sweep, _)):
            commands.append(["SCAN", "0", "MATCH", keyPrefix + "presence:family:*", "COUNT", "1000"])
        case (.httpPolling, .message(let client, .heartbeat(let status, _))),
            (.httpPolling, .message(let client, .beacon(let status))):
            commands.append([
                "SET", presenceKey(client), statusJSON(client, status, now), "PX", milliseconds(presence.ttl, speed),
            ])
        case (.httpPolling, .message(let client, .leave)):
            commands.append(["DEL", presenceKey(client)])
        case (.httpPolling, .message(let client, .joinRoom(let room))):
            commands.append(["SADD", roomKey(room), user(client)])
            if let roomSetTTL = presence.roomSetTTL {
                commands.append(["PEXPIRE", roomKey(room), milliseconds(roomSetTTL, speed)])
            }
        case (.httpPolling, .message(let client, .leaveRoom(let room))):
            commands.append(["SREM", roomKey(room), user(client)])
        case (.httpPolling, .message(_, .pollRoom(let room))):
            requests.append(.membersThenGet(set: roomKey(room), keyPrefix: keyPrefix + "presence:"))
        case (.httpPolling, .message(_, .pollUsers)):
            // One request per answer the server sent: the batches it already made.
            for case .deliver(_, .usersAnswer(let users)) in effects {
                requests.append(.pipeline(users.map { ["GET", presenceKey($0.subject)] }))
            }
        case (.httpPolling, .message(let client, .typing(let room, let isTyping))):
            let typingTTL = presence.typingTTL ?? presence.typingStop
            commands.append(
                isTyping
                    ? ["SET", typingKey(room, client), "1", "PX", milliseconds(typingTTL, speed)]
                    : ["DEL", typingKey(room, client)])
        case (.httpPolling, .message(let client, .pollTyping(let room))):
            let others = population.members(of: room).filter { $0 != client.rawValue }
            if !others.isEmpty {
                commands.append(["MGET"] + others.map { typingKey(room, ClientID(rawValue: $0)) })
            }
        default:
            break
        }
        if design == .socketioRedis {
            // Design A's disconnect handler, and its expired-key worker, take the user out of the family set.
            for case .lastSeen(let client, _) in effects {
                commands += population.presenceRooms(of: client).map { ["SREM", familyKey($0), user(client)] }
            }
        }
        if !commands.isEmpty { requests.insert(.pipeline(commands), at: 0) }
        return requests
    }

    // MARK: Keys and values

    private func user(_ client: ClientID) -> String { String(client.index) }
    private func familyKey(_ room: RoomID) -> String { keyPrefix + "presence:family:\(room.index)" }
    private func userKey(_ client: ClientID) -> String { keyPrefix + "presence:user:\(client.index)" }
    private func presenceKey(_ client: ClientID) -> String { keyPrefix + "presence:\(client.index)" }
    private func roomKey(_ room: RoomID) -> String { keyPrefix + "room:\(room.index)" }
    private func typingKey(_ room: RoomID, _ client: ClientID) -> String {
        keyPrefix + "typing:\(room.index):\(client.index)"
    }

    /// Design A's value: `{ familyId, name }` (the first of the user's rooms).
    private func familyJSON(_ client: ClientID) -> String {
        let family = population.presenceRooms(of: client).first?.index ?? 0
        return #"{"familyId":"\#(family)","name":"user \#(client.index)"}"#
    }

    /// Design B's `PresenceData` (the seed's field names, `odId` included), `lastSeen` in simulated milliseconds.
    private func statusJSON(_ client: ClientID, _ status: PresenceStatus, _ now: Instant) -> String {
        let lastSeen = now.nanoseconds / 1_000_000
        return
            #"{"odId":"\#(client.index)","name":"user \#(client.index)","status":"\#(status)","lastSeen":\#(lastSeen)}"#
    }

    /// A simulated interval as wall-clock milliseconds at `speed`, at least 1 (`PX 0` is an error).
    private func milliseconds(_ interval: Interval, _ speed: Double) -> String {
        String(max(1, Int((interval.seconds * 1000 / speed).rounded())))
    }
}

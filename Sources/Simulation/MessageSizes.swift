import Scenario

/// How many bytes each message costs on the wire, per design: the cost model behind
/// `cost.bytesUpPerSecond` and `cost.bytesDownPerSecond`.
///
/// The figures are payload plus framing, with ids as 25-character cuids (the seeds' Prisma ids):
/// - `socketio-redis`: Socket.IO v4 packets over WebSocket. A client frame carries a 6-byte header
///   (masked), a server frame 2 bytes. `42["presence:ping"]` is 19 bytes; a presence event
///   `42["presence:online",{"userId":"…"}]` about 60. The first paint is an HTTP GET of the family set
///   (~350 bytes of headers, 30 per member). Transport pings are the 1-byte packets `2` and `3`.
/// - `http-polling`: HTTP/1.1 requests with ~450 bytes of headers (cookies, user agent) and responses
///   with ~220; the JSON presence of one user is ~120 bytes (id, name, status, lastSeen, metadata).
/// - `ttl-entries`: a sync engine's JSON messages over WebSocket, ~60 bytes plus the entry data.
struct MessageSizes: Sendable {
    let design: Design
    let payloadBytes: Int

    private static let clientFrame = 6
    private static let serverFrame = 2
    private static let httpRequest = 450
    private static let httpResponse = 220
    private static let userJSON = 120

    func up(_ message: Uplink) -> Int {
        switch design {
        case .socketioRedis:
            switch message {
            case .connect: return 520  // The WebSocket upgrade request and the Socket.IO handshake.
            case .close: return Self.clientFrame + 2
            case .heartbeat: return Self.clientFrame + 19
            case .typing: return Self.clientFrame + 62
            default: return Self.clientFrame + 40
            }
        case .httpPolling:
            switch message {
            case .heartbeat, .beacon: return Self.httpRequest + 20
            case .typing: return Self.httpRequest + 16
            case .joinRoom, .leaveRoom: return Self.httpRequest + 18
            case .pollUsers(_, let requests): return requests * Self.httpRequest
            default: return Self.httpRequest
            }
        case .ttlEntries:
            switch message {
            case .connect: return 520
            case .close: return Self.clientFrame + 2
            case .heartbeat: return Self.clientFrame + 60 + payloadBytes
            default: return Self.clientFrame + 50
            }
        }
    }

    func down(_ message: Inbound) -> Int {
        switch design {
        case .socketioRedis:
            switch message {
            case .connected(_, let snapshots): return 300 + 350 + 30 * snapshots.entryCount
            case .presence: return Self.serverFrame + 60
            case .presenceBatch(_, let entries): return Self.serverFrame + 20 + 45 * entries.count
            case .typing: return Self.serverFrame + 75
            default: return Self.serverFrame + 40
            }
        case .httpPolling:
            switch message {
            case .roomSnapshot(let view): return Self.httpResponse + Self.userJSON * view.entries.count
            case .typingSnapshot(_, let typing): return Self.httpResponse + 30 * typing.count
            case .usersAnswer(let users): return Self.httpResponse + Self.userJSON * users.count
            default: return Self.httpResponse
            }
        case .ttlEntries:
            switch message {
            case .connected(_, let snapshots): return 300 + 40 + (40 + payloadBytes) * snapshots.entryCount
            case .presence: return Self.serverFrame + 50 + payloadBytes
            case .presenceBatch(_, let entries): return Self.serverFrame + 20 + (40 + payloadBytes) * entries.count
            case .typing: return Self.serverFrame + 60
            default: return Self.serverFrame + 40
            }
        }
    }

    /// A transport ping (server to client) and its pong.
    var ping: (down: Int, up: Int) { (Self.serverFrame + 1, Self.clientFrame + 1) }
}

extension [RoomView] {
    /// The members listed over all the rooms.
    var entryCount: Int { reduce(0) { $0 + $1.entries.count } }
}

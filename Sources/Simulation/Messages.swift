import PresenceCore

/// A connection's number, so that the server can tell an old socket from its replacement.
public typealias ConnectionID = UInt32

/// What a client sends to the presence server.
public enum Uplink: Hashable, Sendable {
    /// Opens a socket (designs A and C).
    case connect(ConnectionID)
    /// A clean close of the socket, or the OS closing it for a killed app (designs A and C).
    case close(ConnectionID)
    /// Refreshes the client's presence; `status` is sent by designs that carry one (B). `room` names the
    /// room entry it refreshes (design C keeps one per room); nil for the user's own key (A, B).
    case heartbeat(PresenceStatus, room: RoomID?)
    /// `leave()`: removes the room's entry at once (design C).
    case leave(RoomID)
    /// A `sendBeacon` with a status (design B's away and offline beacons).
    case beacon(PresenceStatus)
    /// Joins or leaves a room's member set (design B's room POST).
    case joinRoom(RoomID)
    case leaveRoom(RoomID)
    /// Polls of one room (design B).
    case pollRoom(RoomID)
    case pollUsers(RoomID, requests: Int)
    case pollTyping(RoomID)
    /// Typing starts or stops in a room.
    case typing(RoomID, Bool)

    /// Whether this message counts as a heartbeat in the cost figures.
    var isHeartbeat: Bool {
        if case .heartbeat = self { return true }
        return false
    }
}

/// What a client shows for one other member.
public struct ViewEntry: Hashable, Sendable {
    public var subject: ClientID
    public var status: PresenceStatus

    public init(subject: ClientID, status: PresenceStatus) {
        self.subject = subject
        self.status = status
    }
}

/// What a client is shown of one room: the members listed, with their status.
public struct RoomView: Hashable, Sendable {
    public var room: RoomID
    public var entries: [ViewEntry]

    public init(room: RoomID, entries: [ViewEntry]) {
        self.room = room
        self.entries = entries
    }
}

/// What the presence server sends to a client.
public enum Inbound: Hashable, Sendable {
    /// The socket is open; `snapshots` is what the client paints first, one per room (design A's set
    /// read, design C's live entries).
    case connected(ConnectionID, snapshots: [RoomView])
    /// The server closed the socket (a restart).
    case closed
    /// A pushed presence change in a room.
    case presence(RoomID, ViewEntry)
    /// A room's batched presence changes (`protocol.batch`).
    case presenceBatch(RoomID, [ViewEntry])
    /// A pushed typing change in a room.
    case typing(RoomID, subject: ClientID, isTyping: Bool)
    /// A poll answer: the room as the store shows it (design B).
    case roomSnapshot(RoomView)
    /// A typing poll answer: who types in the room (design B).
    case typingSnapshot(RoomID, [ClientID])
    /// A user poll answer (design B's `useUserPresence`): the status of each user asked about, offline
    /// for a user whose key is gone; one answer per request of at most `protocol.userPollBatch` users.
    case usersAnswer([ViewEntry])
}

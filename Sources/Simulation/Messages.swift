import PresenceCore

/// A connection's number, so that the server can tell an old socket from its replacement.
public typealias ConnectionID = UInt32

/// What a client sends to the presence server.
public enum Uplink: Hashable, Sendable {
    /// Opens a socket (designs A and C).
    case connect(ConnectionID)
    /// A clean close of the socket, or the OS closing it for a killed app (designs A and C).
    case close(ConnectionID)
    /// Refreshes the client's presence; `status` is sent by designs that carry one (B).
    case heartbeat(PresenceStatus)
    /// `leave()`: removes the entry at once (design C).
    case leave
    /// A `sendBeacon` with a status (design B's away and offline beacons).
    case beacon(PresenceStatus)
    /// Joins or leaves the room's member set (design B's room POST).
    case joinRoom
    case leaveRoom
    /// Polls (design B).
    case pollRoom
    case pollUsers(requests: Int)
    case pollTyping
    case typing(Bool)

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

/// What the presence server sends to a client.
public enum Inbound: Hashable, Sendable {
    /// The socket is open; `snapshot` is what the client paints first (design A's set read, design C's
    /// live entries).
    case connected(ConnectionID, snapshot: [ViewEntry])
    /// The server closed the socket (a restart).
    case closed
    /// A pushed presence change.
    case presence(ViewEntry)
    /// Batched presence changes (`protocol.batch`).
    case presenceBatch([ViewEntry])
    /// A pushed typing change.
    case typing(subject: ClientID, isTyping: Bool)
    /// A poll answer: the room as the store shows it (design B).
    case roomSnapshot([ViewEntry])
    /// A typing poll answer: who types (design B).
    case typingSnapshot([ClientID])
    /// A user poll answer (design B's `useUserPresence`): the status of each user asked about, offline
    /// for a user whose key is gone; one answer per request of at most `protocol.userPollBatch` users.
    case usersAnswer([ViewEntry])
}

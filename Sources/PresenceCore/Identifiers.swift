/// A simulated client (one user's device or tab). Dense, starting at 0, so engines can index arrays by it.
public struct ClientID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ index: Int) { self.rawValue = UInt32(truncatingIfNeeded: index) }
    @inlinable public var index: Int { Int(rawValue) }
    @inlinable public static func < (lhs: ClientID, rhs: ClientID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "client \(rawValue)" }
}

/// A room: the family, channel or document whose members see each other's presence.
public struct RoomID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ index: Int) { self.rawValue = UInt32(truncatingIfNeeded: index) }
    @inlinable public var index: Int { Int(rawValue) }
    @inlinable public static func < (lhs: RoomID, rhs: RoomID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "room \(rawValue)" }
}

/// One presence entry's address: a client in a room.
public struct EntryKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var room: RoomID
    public var client: ClientID
    @inlinable public init(room: RoomID, client: ClientID) {
        self.room = room
        self.client = client
    }
    @inlinable public static func < (lhs: EntryKey, rhs: EntryKey) -> Bool {
        (lhs.room, lhs.client) < (rhs.room, rhs.client)
    }
    public var description: String { "\(client) in \(room)" }
    /// Hashes both identifiers as one 64-bit word: one round of the hasher instead of two.
    @inlinable public func hash(into hasher: inout Hasher) {
        hasher.combine(UInt64(room.rawValue) << 32 | UInt64(client.rawValue))
    }
}

/// What a presence entry says about its client.
public enum PresenceStatus: UInt8, Hashable, Comparable, Sendable, CaseIterable, CustomStringConvertible {
    case online, away, busy
    /// Stored explicitly by designs that write an "offline" status instead of deleting (design B's leave beacon).
    case offline

    @inlinable public static func < (lhs: PresenceStatus, rhs: PresenceStatus) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether an observer shows the client as present (online, away and busy all are).
    @inlinable public var isPresent: Bool { self != .offline }

    public var description: String {
        switch self {
        case .online: "online"
        case .away: "away"
        case .busy: "busy"
        case .offline: "offline"
        }
    }
}

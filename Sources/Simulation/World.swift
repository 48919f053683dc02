import PresenceCore
import Scenario

/// The immutable settings every model reads: the scenario's protocol, behaviour, network and faults.
///
/// A class so that a million client models share one copy; immutable, so sharing it across the actors
/// engine's actors is safe.
public final class ModelSettings: Sendable {
    public let seed: UInt64
    public let presence: PresenceProtocol
    public let behavior: Behavior
    public let network: Network
    /// The faults, in the scenario's order (the router places them).
    public let faults: [Fault]

    public init(scenario: Scenario) {
        seed = scenario.seed
        presence = scenario.presence
        behavior = scenario.behavior
        network = scenario.network
        faults = scenario.faults
    }
}

/// Who is in which room. Rooms partition the population: room sizes are drawn from `rooms.size` with
/// the scenario seed, and clients fill rooms in order, the last room taking what is left.
public final class Population: Sendable {
    public let clientCount: Int
    /// The first client of each room, plus a final entry equal to `clientCount`.
    public let roomStarts: [Int]
    /// Each client's room.
    public let roomOf: [RoomID]

    public init(scenario: Scenario) {
        var random = RandomStream(seed: scenario.seed, stream: 0, purpose: .population)
        var starts: [Int] = []
        var roomOf: [RoomID] = []
        roomOf.reserveCapacity(scenario.clients)
        var next = 0
        while next < scenario.clients {
            let size = min(scenario.rooms.size.sample(&random), scenario.clients - next)
            let room = RoomID(starts.count)
            starts.append(next)
            roomOf.append(contentsOf: repeatElement(room, count: size))
            next += size
        }
        starts.append(next)
        clientCount = scenario.clients
        roomStarts = starts
        self.roomOf = roomOf
    }

    public var roomCount: Int { roomStarts.count - 1 }

    /// The clients of a room, in order.
    public func members(of room: RoomID) -> Range<Int> { roomStarts[room.index]..<roomStarts[room.index + 1] }

    /// The room of a client, with its presence entry key (one entry per client, in its room).
    @inlinable public func key(of client: ClientID) -> EntryKey { EntryKey(room: roomOf[client.index], client: client) }
}

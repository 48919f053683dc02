import PresenceCore
import Scenario

/// The immutable settings every model reads: the scenario's protocol, behaviour and network, plus the
/// fault schedule that changes network conditions over time.
///
/// A class so that a million client models share one copy; immutable, so sharing it across the actors
/// engine's actors is safe.
public final class ModelSettings: Sendable {
    public let seed: UInt64
    public let presence: PresenceProtocol
    public let behavior: Behavior
    public let network: Network
    /// Latency-spike windows, by start.
    let latencySpikes: [(start: Instant, end: Instant, factor: Double)]

    public init(scenario: Scenario) {
        seed = scenario.seed
        presence = scenario.presence
        behavior = scenario.behavior
        network = scenario.network
        latencySpikes = scenario.faults.compactMap { fault in
            guard case .latencySpike(let factor, let duration) = fault.kind else { return nil }
            let start = Instant.zero + fault.at
            return (start, start + duration, factor)
        }
    }

    /// How long a message sent at `now` takes to arrive, or nil when the network loses it.
    ///
    /// Latency is drawn from `network.latency` and multiplied by the latency-spike factor in force. HTTP
    /// requests, beacons and answers are lost with the loss probability; on a socket TCP retransmits a
    /// lost packet instead, after a retransmission timeout that starts at Linux's 200 ms minimum and
    /// doubles per loss.
    func transit(_ random: inout RandomStream, at now: Instant) -> Interval? {
        var latency = (network.latency.sample(&random) ?? .zero).seconds * latencyFactor(at: now)
        if network.loss > 0 {
            if presence.design == .httpPolling {
                if random.chance(network.loss) { return nil }
            } else {
                var timeout = minimumRetransmissionTimeout
                while random.chance(network.loss) && timeout < 120 {
                    latency += timeout
                    timeout *= 2
                }
            }
        }
        return Interval(seconds: latency)
    }

    /// The factor latency draws are multiplied by at `now` (overlapping spikes multiply).
    func latencyFactor(at now: Instant) -> Double {
        var factor = 1.0
        for spike in latencySpikes where spike.start <= now && now < spike.end { factor *= spike.factor }
        return factor
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

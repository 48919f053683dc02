import Foundation
import PresenceCore
import Scenario

/// Who is in which room.
///
/// With one room per client (`rooms.perClient` 1, the default) rooms partition the population: room
/// sizes are drawn from `rooms.size` with the scenario seed and clients fill rooms in order, the last room
/// taking what is left. With more, each client draws its number of rooms, room sizes are drawn until they
/// hold every membership, and memberships are dealt to rooms in rounds (FORMAT.md, "Rooms"): every
/// client's first membership in client order, the further ones in a shuffled order, never twice in a room.
public final class Population: Sendable {
    public let clientCount: Int
    /// Room members, room after room, each room's in ascending client order; `roomStarts` has one entry
    /// per room plus a final one equal to `roomMembers.count`.
    private let roomStarts: [Int]
    private let roomMembers: [UInt32]
    /// Each client's rooms, client after client, in ascending room order, with the client's position in
    /// each room's member list alongside.
    private let clientStarts: [Int]
    private let clientRooms: [RoomID]
    private let clientSlots: [UInt32]
    /// Memberships drawn but not placed: the client drew more rooms than there are, or the last rooms
    /// could only take clients already in them.
    public let droppedMemberships: Int

    public init(scenario: Scenario) {
        var random = RandomStream(seed: scenario.seed, stream: 0, purpose: .population)
        let clients = scenario.clients
        var layout =
            scenario.rooms.isPartition
            ? Self.partition(clients: clients, size: scenario.rooms.size, &random)
            : Self.memberships(clients: clients, rooms: scenario.rooms, seed: scenario.seed, &random)
        // Each room's members in client order.
        for room in 0..<(layout.starts.count - 1) {
            layout.members[layout.starts[room]..<layout.starts[room + 1]].sort()
        }
        var counts = Array(repeating: 0, count: clients + 1)
        for member in layout.members { counts[Int(member) + 1] += 1 }
        for index in 0..<clients { counts[index + 1] += counts[index] }
        var cursor = counts
        var rooms = Array(repeating: RoomID(0), count: layout.members.count)
        var slots = Array(repeating: UInt32(0), count: layout.members.count)
        for room in 0..<(layout.starts.count - 1) {
            for position in layout.starts[room]..<layout.starts[room + 1] {
                let client = Int(layout.members[position])
                rooms[cursor[client]] = RoomID(room)
                slots[cursor[client]] = UInt32(position - layout.starts[room])
                cursor[client] += 1
            }
        }
        clientCount = clients
        roomStarts = layout.starts
        roomMembers = layout.members
        clientStarts = counts
        clientRooms = rooms
        clientSlots = slots
        droppedMemberships = layout.dropped
    }

    public var roomCount: Int { roomStarts.count - 1 }
    /// Memberships placed: the sum of room sizes.
    public var membershipCount: Int { roomMembers.count }
    /// Whether every client is in exactly one room.
    public var isPartition: Bool { roomMembers.count == clientCount }

    /// The clients of a room, in ascending order.
    public func members(of room: RoomID) -> ArraySlice<UInt32> {
        roomMembers[roomStarts[room.index]..<roomStarts[room.index + 1]]
    }

    public func size(of room: RoomID) -> Int { roomStarts[room.index + 1] - roomStarts[room.index] }

    /// The rooms a client is in, in ascending order (none for a client whose memberships were all dropped).
    public func rooms(of client: ClientID) -> ArraySlice<RoomID> {
        clientRooms[clientStarts[client.index]..<clientStarts[client.index + 1]]
    }

    /// The client's rooms with its position in each room's member list.
    public func memberships(of client: ClientID) -> Zip2Sequence<ArraySlice<RoomID>, ArraySlice<UInt32>> {
        let range = clientStarts[client.index]..<clientStarts[client.index + 1]
        return zip(clientRooms[range], clientSlots[range])
    }

    /// The client's position in the room's member list, or nil when it is not a member.
    public func slot(of client: ClientID, in room: RoomID) -> Int? {
        let range = clientStarts[client.index]..<clientStarts[client.index + 1]
        var low = range.lowerBound
        var high = range.upperBound
        while low < high {
            let middle = (low + high) / 2
            if clientRooms[middle] < room { low = middle + 1 } else { high = middle }
        }
        return low < range.upperBound && clientRooms[low] == room ? Int(clientSlots[low]) : nil
    }

    // MARK: Filling rooms

    private struct Layout {
        var starts: [Int]
        var members: [UInt32]
        var dropped: Int
    }

    /// One room per client: rooms take the next clients in order.
    private static func partition(clients: Int, size: CountDistribution, _ random: inout RandomStream) -> Layout {
        let sampler = CountSampler(size, cap: clients)
        var starts: [Int] = []
        var next = 0
        while next < clients {
            starts.append(next)
            next += min(sampler.sample(&random), clients - next)
        }
        starts.append(next)
        return Layout(starts: starts, members: (0..<UInt32(clients)).map { $0 }, dropped: 0)
    }

    /// Several rooms per client: draw each client's count, then room sizes until they hold every
    /// membership, then deal the memberships round by round.
    private static func memberships(clients: Int, rooms: Rooms, seed: UInt64, _ random: inout RandomStream) -> Layout {
        // Rooms per client come from a stream of their own, so the room sizes are the partition's draws.
        var counts = RandomStream(seed: seed, stream: 1, purpose: .population)
        let perClient = CountSampler(rooms.perClient, cap: .max)
        let wanted = (0..<clients).map { _ in perClient.sample(&counts) }
        let total = wanted.reduce(0, +)
        let sizes = CountSampler(rooms.size, cap: clients)
        var starts: [Int] = []
        var placed = 0
        while placed < total {
            starts.append(placed)
            placed += min(sizes.sample(&random), total - placed)
        }
        starts.append(placed)
        // The stubs: round r holds every client that wants more than r rooms; round 0 in client order
        // (so one room per client fills exactly as a partition), later rounds shuffled.
        var stubs: [UInt32] = []
        stubs.reserveCapacity(total)
        stubs.append(contentsOf: (0..<UInt32(clients)).map { $0 })
        var round = 1
        while stubs.count < total {
            let start = stubs.count
            for client in 0..<clients where wanted[client] > round { stubs.append(UInt32(client)) }
            for index in stride(from: stubs.count - 1, to: start, by: -1) {
                let other = start + Int(random.next() % UInt64(index - start + 1))
                stubs.swapAt(index, other)
            }
            round += 1
        }
        // Deal: a stub whose client is already in the room swaps with the next one that is not; with
        // none left, the membership is dropped.
        var lastRoom = Array(repeating: -1, count: clients)
        var members: [UInt32] = []
        members.reserveCapacity(total)
        var roomStarts: [Int] = []
        var position = 0
        for room in 0..<(starts.count - 1) {
            roomStarts.append(members.count)
            for _ in 0..<(starts[room + 1] - starts[room]) {
                guard position < stubs.count else { break }
                if lastRoom[Int(stubs[position])] == room {
                    var other = position + 1
                    while other < stubs.count && lastRoom[Int(stubs[other])] == room { other += 1 }
                    guard other < stubs.count else { break }
                    stubs.swapAt(position, other)
                }
                lastRoom[Int(stubs[position])] = room
                members.append(stubs[position])
                position += 1
            }
        }
        roomStarts.append(members.count)
        // Rooms left empty by dropped memberships are not kept.
        var compact: [Int] = [0]
        for room in 0..<(roomStarts.count - 1) where roomStarts[room + 1] > roomStarts[room] {
            compact.append(roomStarts[room + 1])
        }
        return Layout(starts: compact, members: members, dropped: total - members.count)
    }
}

/// What a report says about the population: how many rooms, how large, how many per client.
public struct PopulationSummary: Sendable {
    public var rooms: Int
    public var memberships: Int
    public var droppedMemberships: Int
    public var roomSize: Summary
    public var roomsPerClient: Summary
    /// Each cohort's name and clients, in the scenario's order (empty without cohorts).
    public var cohorts: [(name: String, clients: Int)] = []

    public init(_ population: Population, settings: ModelSettings) {
        rooms = population.roomCount
        memberships = population.membershipCount
        droppedMemberships = population.droppedMemberships
        var sizes = CountHistogram()
        for room in 0..<population.roomCount { sizes.record(population.size(of: RoomID(room))) }
        var perClient = CountHistogram()
        for client in 0..<population.clientCount { perClient.record(population.rooms(of: ClientID(client)).count) }
        roomSize = sizes.summary
        roomsPerClient = perClient.summary
        var counts = Array(repeating: 0, count: settings.cohorts.count)
        for cohort in settings.cohortOf { counts[Int(cohort)] += 1 }
        cohorts = zip(settings.cohorts, counts).map { ($0.name, $1) }
    }
}

/// Draws from a whole-number distribution, at most `cap`: a zipf or log-normal draw above it is drawn
/// again (the distribution is truncated at the cap); a constant or uniform one is cut to it.
struct CountSampler {
    let distribution: CountDistribution
    let cap: Int
    /// The zipf's cumulative weights over `min...min(max, cap)`.
    private let cumulative: [Double]

    init(_ distribution: CountDistribution, cap: Int) {
        self.distribution = distribution
        self.cap = cap
        if case .zipf(let exponent, let low, let high) = distribution {
            var total = 0.0
            cumulative = (low...max(low, min(high, cap))).map { value in
                total += pow(Double(value), -exponent)
                return total
            }
        } else {
            cumulative = []
        }
    }

    func sample(_ random: inout RandomStream) -> Int {
        switch distribution {
        case .constant(let value):
            return min(value, cap)
        case .uniform(let low, let high):
            return min(low + Int(random.next() % UInt64(high - low + 1)), cap)
        case .zipf(_, let low, _):
            let target = random.unit() * cumulative[cumulative.count - 1]
            var lower = 0
            var upper = cumulative.count - 1
            while lower < upper {
                let middle = (lower + upper) / 2
                if cumulative[middle] <= target { lower = middle + 1 } else { upper = middle }
            }
            return min(low + lower, cap)
        case .lognormal(let median, let p99):
            for _ in 0..<64 {
                let value = max(
                    1, Int(CountDistribution.lognormalValue(median: median, p99: p99, z: random.normal()).rounded()))
                if value <= cap { return value }
            }
            return cap
        }
    }
}

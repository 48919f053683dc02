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
///
/// With `rooms.threads`, threads are filled the same way from streams of their own and numbered after
/// the rooms: rooms `0..<presenceRoomCount` carry presence, the threads after them carry typing only.
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
    /// Rooms that carry presence: the first ones. The rest, if any, are threads.
    public let presenceRoomCount: Int
    /// Whether the scenario has threads: then typing happens in them alone, and not in the rooms.
    public let hasThreads: Bool

    public init(scenario: Scenario) {
        var random = RandomStream(seed: scenario.seed, stream: 0, purpose: .population)
        let clients = scenario.clients
        let rooms = scenario.rooms
        var layout =
            rooms.perClient == .constant(1)
            ? Self.partition(clients: clients, size: rooms.size, &random)
            : Self.memberships(
                clients: clients, size: rooms.size, perClient: rooms.perClient,
                counts: RandomStream(seed: scenario.seed, stream: 1, purpose: .population), &random)
        presenceRoomCount = layout.starts.count - 1
        hasThreads = rooms.threads != nil
        if let threads = rooms.threads {
            var threadRandom = RandomStream(seed: scenario.seed, stream: 2, purpose: .population)
            let threadLayout = Self.memberships(
                clients: clients, size: threads.size, perClient: threads.perClient,
                counts: RandomStream(seed: scenario.seed, stream: 3, purpose: .population), &threadRandom)
            let offset = layout.members.count
            layout.starts += threadLayout.starts.dropFirst().map { $0 + offset }
            layout.members += threadLayout.members
            layout.dropped += threadLayout.dropped
        }
        // Each room's members in client order.
        for room in 0..<(layout.starts.count - 1) {
            layout.members[layout.starts[room]..<layout.starts[room + 1]].sort()
        }
        var counts = Array(repeating: 0, count: clients + 1)
        for member in layout.members { counts[Int(member) + 1] += 1 }
        for index in 0..<clients { counts[index + 1] += counts[index] }
        var cursor = counts
        var clientRooms = Array(repeating: RoomID(0), count: layout.members.count)
        var slots = Array(repeating: UInt32(0), count: layout.members.count)
        for room in 0..<(layout.starts.count - 1) {
            for position in layout.starts[room]..<layout.starts[room + 1] {
                let client = Int(layout.members[position])
                clientRooms[cursor[client]] = RoomID(room)
                slots[cursor[client]] = UInt32(position - layout.starts[room])
                cursor[client] += 1
            }
        }
        clientCount = clients
        roomStarts = layout.starts
        roomMembers = layout.members
        clientStarts = counts
        self.clientRooms = clientRooms
        clientSlots = slots
        droppedMemberships = layout.dropped
    }

    /// Rooms and threads.
    public var roomCount: Int { roomStarts.count - 1 }
    /// Memberships placed: the sum of room and thread sizes.
    public var membershipCount: Int { roomMembers.count }
    /// Whether every client is in exactly one room, and there are no threads.
    public var isPartition: Bool { roomMembers.count == clientCount && !hasThreads }

    /// Whether the room's members show each other's presence (a room, not a thread).
    public func carriesPresence(_ room: RoomID) -> Bool { room.index < presenceRoomCount }

    /// Whether members type in the room: every room without threads, the threads alone with them.
    public func carriesTyping(_ room: RoomID) -> Bool { !hasThreads || room.index >= presenceRoomCount }

    /// The clients of a room, in ascending order.
    public func members(of room: RoomID) -> ArraySlice<UInt32> {
        roomMembers[roomStarts[room.index]..<roomStarts[room.index + 1]]
    }

    public func size(of room: RoomID) -> Int { roomStarts[room.index + 1] - roomStarts[room.index] }

    /// The rooms a client is in, in ascending order (none for a client whose memberships were all dropped).
    public func rooms(of client: ClientID) -> ArraySlice<RoomID> {
        clientRooms[clientStarts[client.index]..<clientStarts[client.index + 1]]
    }

    /// The rooms whose members see the client's presence: all its rooms, its threads left out.
    public func presenceRooms(of client: ClientID) -> ArraySlice<RoomID> {
        let rooms = rooms(of: client)
        guard hasThreads else { return rooms }
        return rooms.prefix { $0.index < presenceRoomCount }
    }

    /// The rooms the client types in: all its rooms, or its threads alone when there are threads.
    public func typingRooms(of client: ClientID) -> ArraySlice<RoomID> {
        let rooms = rooms(of: client)
        guard hasThreads else { return rooms }
        return rooms.drop { $0.index < presenceRoomCount }
    }

    /// The client's rooms with its position in each room's member list.
    public func memberships(of client: ClientID) -> Zip2Sequence<ArraySlice<RoomID>, ArraySlice<UInt32>> {
        let range = clientStarts[client.index]..<clientStarts[client.index + 1]
        return zip(clientRooms[range], clientSlots[range])
    }

    /// The client's position in the room's member list, or nil when it is not a member.
    public func slot(of client: ClientID, in room: RoomID) -> Int? {
        membership(of: client, in: room).map(slot(ofMembership:))
    }

    /// The member's position in the room's member list, for a membership from ``membership(of:in:)``.
    public func slot(ofMembership membership: Int) -> Int { Int(clientSlots[membership]) }

    /// The client's membership of the room, numbered from 0 to `membershipCount` − 1 client after client
    /// (in each client's room order), or nil when it is not a member.
    public func membership(of client: ClientID, in room: RoomID) -> Int? {
        let range = clientStarts[client.index]..<clientStarts[client.index + 1]
        var low = range.lowerBound
        var high = range.upperBound
        while low < high {
            let middle = (low + high) / 2
            if clientRooms[middle] < room { low = middle + 1 } else { high = middle }
        }
        return low < range.upperBound && clientRooms[low] == room ? low : nil
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

    /// Several rooms per client: draw each client's count from `counts`, then room sizes until they hold
    /// every membership, then deal the memberships round by round.
    private static func memberships(
        clients: Int, size: CountDistribution, perClient: CountDistribution, counts: RandomStream,
        _ random: inout RandomStream
    ) -> Layout {
        // Rooms per client come from a stream of their own, so the room sizes are the partition's draws.
        var counts = counts
        let perClient = CountSampler(perClient, cap: .max)
        let wanted = (0..<clients).map { _ in perClient.sample(&counts) }
        let total = wanted.reduce(0, +)
        let sizes = CountSampler(size, cap: clients)
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
        stubs.append(contentsOf: (0..<UInt32(clients)).filter { wanted[Int($0)] > 0 })
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
    /// The rooms that carry presence.
    public var rooms: Int
    /// Memberships of rooms and threads.
    public var memberships: Int
    public var droppedMemberships: Int
    public var roomSize: Summary
    public var roomsPerClient: Summary
    /// The threads, when the scenario has them.
    public var threads: Threads?
    /// Each cohort's name and clients, in the scenario's order (empty without cohorts).
    public var cohorts: [(name: String, clients: Int)] = []

    /// How many threads, how large, how many per client.
    public struct Threads: Sendable {
        public var count: Int
        public var size: Summary
        public var perClient: Summary
    }

    public init(_ population: Population, settings: ModelSettings) {
        rooms = population.presenceRoomCount
        memberships = population.membershipCount
        droppedMemberships = population.droppedMemberships
        func sizes(_ rooms: Range<Int>) -> Summary {
            var sizes = CountHistogram()
            for room in rooms { sizes.record(population.size(of: RoomID(room))) }
            return sizes.summary
        }
        func perClient(_ rooms: (ClientID) -> ArraySlice<RoomID>) -> Summary {
            var perClient = CountHistogram()
            for client in 0..<population.clientCount { perClient.record(rooms(ClientID(client)).count) }
            return perClient.summary
        }
        roomSize = sizes(0..<population.presenceRoomCount)
        roomsPerClient = perClient(population.presenceRooms)
        if population.hasThreads {
            threads = Threads(
                count: population.roomCount - population.presenceRoomCount,
                size: sizes(population.presenceRoomCount..<population.roomCount),
                perClient: perClient(population.typingRooms))
        }
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

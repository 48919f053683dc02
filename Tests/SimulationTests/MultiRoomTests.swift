import PresenceCore
import Scenario
import Simulation
import Testing

/// Clients in several rooms (`rooms.perClient`) and heavy-tailed room sizes: how rooms are filled, and
/// what each design does per room, against figures derived by hand.
@Suite struct MultiRoomTests {
    private func population(_ rooms: String, clients: Int = 2_000, seed: Int = 5) throws -> Population {
        Population(
            scenario: try scenario(
                #"{"name": "rooms", "seed": \#(seed), "duration": "1m", "clients": \#(clients), "rooms": \#(rooms),"#
                    + #" "protocol": {"design": "ttl-entries"}}"#))
    }

    /// Every client has the rooms it drew, never twice the same; every room lists its members in order, and
    /// the two indexes agree.
    @Test func membershipsAreConsistent() throws {
        let population = try population(
            #"{"size": {"zipf": {"exponent": 1.2, "min": 2, "max": 400}}, "perClient": {"uniform": [1, 6]}}"#)
        #expect(population.droppedMemberships == 0)
        var total = 0
        for room in 0..<population.roomCount {
            let members = Array(population.members(of: RoomID(room)))
            #expect(members == members.sorted() && Set(members).count == members.count, "room \(room)")
            for (slot, member) in members.enumerated() {
                #expect(population.slot(of: ClientID(rawValue: member), in: RoomID(room)) == slot)
            }
            total += members.count
        }
        #expect(total == population.membershipCount)
        var perClient = 0
        for client in 0..<population.clientCount {
            let rooms = Array(population.rooms(of: ClientID(client)))
            #expect((1...6).contains(rooms.count) && rooms == rooms.sorted() && Set(rooms).count == rooms.count)
            perClient += rooms.count
        }
        #expect(perClient == population.membershipCount)
        // Uniform 1…6 rooms per client: 3.5 on average, ± 4 standard errors of 2,000 draws (sd 1.71).
        let mean = Double(population.membershipCount) / 2_000
        #expect(abs(mean - 3.5) < 4 * 1.708 / 2_000.0.squareRoot(), "rooms per client \(mean)")
    }

    /// Realised room sizes follow the distribution: the sample mean of a truncated zipf within 4 standard
    /// errors of its exact mean (the last room, cut to what is left, excluded).
    @Test func roomSizesFollowTheDistribution() throws {
        let size = CountDistribution.zipf(exponent: 1.5, min: 2, max: 1_000)
        let population = try population(
            #"{"size": {"zipf": {"exponent": 1.5, "min": 2, "max": 1000}}, "perClient": 4}"#, clients: 5_000)
        let sizes = (0..<(population.roomCount - 1)).map { Double(population.size(of: RoomID($0))) }
        let moments = size.moments(cap: 5_000)
        let sd = (moments.meanSquare - moments.mean * moments.mean).squareRoot()
        let mean = sizes.reduce(0, +) / Double(sizes.count)
        #expect(
            abs(mean - moments.mean) < 4 * sd / Double(sizes.count).squareRoot(), "mean size \(mean) vs \(moments.mean)"
        )
        #expect(population.droppedMemberships == 0)
    }

    /// One room per client drawn through `perClient` gives exactly the partition of the default.
    @Test func oneRoomEachIsThePartition() throws {
        let partition = try population(#"{"size": {"uniform": [2, 9]}}"#)
        let drawn = try population(#"{"size": {"uniform": [2, 9]}, "perClient": {"uniform": [1, 1]}}"#)
        #expect(drawn.isPartition && partition.isPartition)
        #expect(drawn.roomCount == partition.roomCount)
        for room in 0..<partition.roomCount {
            #expect(Array(drawn.members(of: RoomID(room))) == Array(partition.members(of: RoomID(room))))
        }
    }

    /// Threads are numbered after the rooms and drawn from streams of their own: the rooms are exactly the
    /// partition drawn without threads, and a client types in its threads alone.
    @Test func threadsComeAfterTheRooms() throws {
        let plain = try population(#"{"size": {"uniform": [2, 9]}}"#)
        let threaded = try population(
            #"{"size": {"uniform": [2, 9]}, "threads": {"size": {"uniform": [2, 6]}, "perClient": {"uniform": [0, 3]}}}"#
        )
        #expect(threaded.presenceRoomCount == plain.roomCount && threaded.roomCount > plain.roomCount)
        #expect(plain.isPartition && !threaded.isPartition && threaded.droppedMemberships == 0)
        for room in (0..<plain.roomCount).map(RoomID.init) {
            #expect(Array(threaded.members(of: room)) == Array(plain.members(of: room)))
            #expect(threaded.carriesPresence(room) && !threaded.carriesTyping(room))
            #expect(plain.carriesPresence(room) && plain.carriesTyping(room))
        }
        for thread in (plain.roomCount..<threaded.roomCount).map(RoomID.init) {
            #expect(!threaded.carriesPresence(thread) && threaded.carriesTyping(thread))
        }
        var none = 0
        var total = 0
        for client in (0..<2_000).map(ClientID.init) {
            let threads = Array(threaded.typingRooms(of: client))
            #expect(Array(threaded.presenceRooms(of: client)) == Array(plain.rooms(of: client)))
            #expect(Array(threaded.rooms(of: client)) == Array(threaded.presenceRooms(of: client)) + threads)
            #expect(threads.count <= 3 && threads.allSatisfy { !threaded.carriesPresence($0) })
            none += threads.isEmpty ? 1 : 0
            total += threads.count
        }
        // Uniform 0…3 threads: 1.5 on average (sd 1.118) and a quarter of the clients in none, each within
        // 4 standard errors of 2,000 draws.
        let mean = Double(total) / 2_000
        #expect(abs(mean - 1.5) < 4 * 1.118 / 2_000.0.squareRoot(), "threads per client \(mean)")
        let share = Double(none) / 2_000
        #expect(abs(share - 0.25) < 4 * (0.25 * 0.75 / 2_000).squareRoot(), "clients in no thread \(share)")
    }

    /// More rooms wanted than there are: the surplus is dropped and counted, never placed twice.
    @Test func impossibleMembershipsAreDroppedAndCounted() throws {
        let full = try population(#"{"size": 10, "perClient": 8}"#, clients: 10)
        // 80 memberships in rooms of 10 clients: 8 rooms, each of every client.
        #expect(full.roomCount == 8 && full.droppedMemberships == 0)
        let crowded = try population(#"{"size": 10, "perClient": {"uniform": [1, 30]}}"#, clients: 10)
        #expect(crowded.droppedMemberships > 0)
        for client in 0..<10 { #expect(crowded.rooms(of: ClientID(client)).count <= crowded.roomCount) }
    }

    private func alwaysOnline(_ design: String, rooms: String, extra: String = "") throws -> Scenario {
        try scenario(
            #"{"name": "always", "seed": 3, "duration": "10m", "warmup": "2m", "clients": 300, "rooms": \#(rooms),"#
                + #" "protocol": {"design": "\#(design)", "heartbeat": "10s"\#(extra)},"#
                + #" "behavior": {"online": "never", "offline": "never","#
                + #" "typing": {"burstsPerHour": 20, "burst": {"constant": "3s"}, "keystroke": "500ms"}},"#
                + #" "network": {"latency": {"constant": "20ms"}}}"#)
    }

    /// Design C heartbeats every room entry: heartbeats per second = clients × rooms per client / interval.
    @Test func designCHeartbeatsEveryRoom() throws {
        for engine in [EngineKind.events, .actors] {
            let outcome = Simulator.run(
                try alwaysOnline("ttl-entries", rooms: #"{"size": 5, "perClient": 3}"#), engine: engine)
            let perSecond = Double(outcome.measurements.heartbeats) / outcome.measurements.measuredSeconds
            // 300 × 3 / 10 s = 90/s; the measured window of 480 s holds 48 heartbeats of each entry, ± one.
            expectClose(perSecond, 90, tolerance: 90.0 / 48, "design C heartbeats/s on \(engine)")
        }
        // Designs A and B refresh one key per user, however many rooms.
        let oneKey = Simulator.run(
            try alwaysOnline("http-polling", rooms: #"{"size": 5, "perClient": 3}"#), engine: .events)
        expectClose(
            Double(oneKey.measurements.heartbeats) / oneKey.measurements.measuredSeconds, 30, tolerance: 30.0 / 48,
            "design B heartbeats/s")
    }

    /// With everyone online, each pushed event reaches every other member of its room: room size − 1.
    @Test func recipientsAreTheRoomMinusOne() throws {
        let outcome = Simulator.run(
            try alwaysOnline("ttl-entries", rooms: #"{"size": 6, "perClient": 3}"#), engine: .events)
        let perEvent = outcome.measurements.recipientsPerEvent.summary
        #expect(perEvent.count > 100)
        #expect(perEvent.mean == 5 && perEvent.max == 5 && perEvent.p50 == 5)
        let buckets = outcome.measurements.fanoutByRoomSize
        #expect(buckets.count == 1 && buckets[0].smallest == 1 && buckets[0].largest == 9)
        #expect(buckets[0].events == outcome.measurements.fanoutEvents)
        #expect(buckets[0].deliveries == outcome.measurements.deliveries)
        #expect(buckets[0].rooms == outcome.population.rooms)
    }

    /// Fan-out splits by room size: a typing burst goes to one room, so deliveries go to a bucket in
    /// proportion to its memberships × (size − 1).
    @Test func fanoutIsBucketedByRoomSize() throws {
        let outcome = Simulator.run(
            try alwaysOnline("socketio-redis", rooms: #"{"size": {"uniform": [2, 40]}, "perClient": 2}"#),
            engine: .events)
        let buckets = outcome.measurements.fanoutByRoomSize
        #expect(buckets.map(\.smallest) == [1, 10])
        #expect(buckets.reduce(0) { $0 + $1.deliveries } == outcome.measurements.deliveries)
        for bucket in buckets where bucket.events > 0 {
            let perEvent = bucket.recipientsPerEvent.summary
            #expect(perEvent.max <= Double(bucket.largest - 1) && perEvent.mean >= Double(bucket.smallest - 1))
        }
    }

    /// Design A's connect joins every room: a set add and a broadcast per room, one key, one first paint
    /// per room.
    @Test func designAConnectsToEveryRoom() throws {
        var driver = ServerDriver(
            try scenario(
                #"{"name": "a", "duration": "1h", "clients": 40, "rooms": {"size": 8, "perClient": 3},"#
                    + #" "protocol": {"design": "socketio-redis"}}"#))
        let rooms = Array(driver.population.rooms(of: cid(0)))
        #expect(rooms.count == 3)
        let effects = driver.message(0, .connect(1), at: 1)
        var fanoutRooms: [RoomID] = []
        var snapshots: [RoomView] = []
        for effect in effects {
            if case .fanout(_, let room, _) = effect { fanoutRooms.append(room) }
            if case .deliver(_, .connected(_, let views)) = effect { snapshots = views }
        }
        #expect(fanoutRooms == rooms)
        #expect(snapshots.map(\.room) == rooms)
        // The key write, three set adds, and three set reads for the first paint.
        #expect(storeOps(in: effects) == 7)
        #expect(driver.readShows(0, at: 2))
    }
}

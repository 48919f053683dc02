import PresenceCore
import Scenario
import Simulation
import Testing

/// Per-client random streams: a client's draws are its own, so growing the population or using other
/// clients' streams changes nothing for it; purposes and seeds give independent streams; rooms are a
/// deterministic function of the seed.
@Suite struct RandomStreamTests {
    /// Every kind of draw a client makes at start: platform, first spell, hidden, idle, outage, burst.
    private static let richBehavior = """
        {"online": {"lognormal": {"median": "20m", "p99": "4h"}}, "offline": {"exponential": "1h"}, "graceful": 0.5,
         "hidden": {"every": {"exponential": "15m"}, "for": {"exponential": "2m"}},
         "idle": {"every": {"exponential": "30m"}, "for": {"exponential": "5m"}},
         "mobile": {"share": 0.5, "ios": 0.5},
         "typing": {"burstsPerHour": 6, "burst": {"uniform": ["2s", "30s"]}, "keystroke": "250ms"}}
        """
    private static let outages = #""outages": {"every": {"exponential": "40m"}, "for": {"exponential": "20s"}}"#

    private func rich(clients: Int, duration: String = "2h") throws -> Scenario {
        try handScenario(
            design: "socketio-redis", behavior: Self.richBehavior, network: Self.outages, clients: clients,
            roomSize: 4, duration: duration)
    }

    /// What a client does first: its platform, its start effects, and what coming online draws.
    private func firstDraws(_ scenario: Scenario, client: Int) -> (Platform, [ClientEffect], [ClientEffect]) {
        var driver = ClientDriver(scenario, client: client)
        let start = driver.handle(.start, at: 0)
        let online = driver.fire(.comeOnline, tag: 0, at: 1)
        return (driver.model.platform, start, online)
    }

    @Test func aClientsDrawsDoNotChangeWhenThePopulationGrows() throws {
        let small = try rich(clients: 40)
        let large = try rich(clients: 41)
        for client in 0..<40 {
            let before = firstDraws(small, client: client)
            let after = firstDraws(large, client: client)
            #expect(before.0 == after.0, "client \(client) platform")
            #expect(before.1 == after.1, "client \(client) start")
            #expect(before.2 == after.2, "client \(client) coming online")
        }
        // Through the engine: the one extra client adds exactly its own platform to the counts.
        let runSmall = Simulator.run(try rich(clients: 40, duration: "10s"), engine: .events)
        let runLarge = Simulator.run(try rich(clients: 41, duration: "10s"), engine: .events)
        var expected = runSmall.platformCounts
        expected[firstDraws(large, client: 40).0, default: 0] += 1
        #expect(runLarge.platformCounts == expected)
    }

    @Test func otherClientsStreamsDoNotTouchAClientsDraws() throws {
        let scenario = try rich(clients: 20)
        let alone = firstDraws(scenario, client: 7)
        // Other clients draw heavily from their own streams first (and from the same settings).
        var others = (0..<20).filter { $0 != 7 }.map { ClientDriver(scenario, client: $0) }
        for index in others.indices {
            _ = others[index].handle(.start, at: 0)
            _ = others[index].fire(.comeOnline, tag: 0, at: 1)
            for step in 0..<50 { _ = others[index].fire(.hide, tag: 0, at: 2 + Double(step)) }
        }
        var stream = RandomStream(seed: 11, stream: 8, purpose: .behavior)
        for _ in 0..<1000 { _ = stream.next() }
        let after = firstDraws(scenario, client: 7)
        #expect(alone.0 == after.0 && alone.1 == after.1 && alone.2 == after.2)
        // A different client draws differently: every client's first connection instant is its own.
        let instants = (0..<20).map { firstDraws(scenario, client: $0).1 }
        #expect(Set(instants.map { "\($0)" }).count == 20)
    }

    @Test func streamsDifferByPurposeStreamAndSeedAndRepeatForTheSame() {
        func firstValues(_ seed: UInt64, _ stream: UInt64, _ purpose: RandomStream.Purpose) -> [UInt64] {
            var random = RandomStream(seed: seed, stream: stream, purpose: purpose)
            return (0..<8).map { _ in random.next() }
        }
        let purposes: [RandomStream.Purpose] = [.behavior, .downlink, .population, .faults]
        let byPurpose = purposes.map { firstValues(1, 3, $0) }
        #expect(Set(byPurpose.flatMap { $0 }).count == 32, "purposes share draws")
        #expect(firstValues(1, 3, .behavior) == firstValues(1, 3, .behavior))
        #expect(firstValues(1, 3, .behavior) != firstValues(1, 4, .behavior))
        #expect(firstValues(1, 3, .behavior) != firstValues(2, 3, .behavior))
        // Stream 0 of one purpose is not stream 0 of another, nor a shifted copy.
        let zero = purposes.map { firstValues(7, 0, $0) }
        for (i, a) in zero.enumerated() {
            for b in zero[(i + 1)...] { #expect(Set(a).isDisjoint(with: b)) }
        }
    }

    @Test func drawsHaveTheirDistributions() {
        var random = RandomStream(seed: 42, stream: 1, purpose: .behavior)
        let n = 20_000
        var sum = 0.0
        var hits = 0
        var exponential = 0.0
        var low = 1.0
        var high = 0.0
        for _ in 0..<n {
            let u = random.unit()
            low = min(low, u)
            high = max(high, u)
            sum += u
            if random.chance(0.3) { hits += 1 }
            exponential += random.exponential(mean: 5)
        }
        #expect(low >= 0 && high < 1)
        // Four standard errors.
        expectClose(sum / Double(n), 0.5, tolerance: 4 * 0.2887 / Double(n).squareRoot(), "mean of unit()")
        expectClose(Double(hits) / Double(n), 0.3, tolerance: 4 * (0.21 / Double(n)).squareRoot(), "chance(0.3)")
        expectClose(exponential / Double(n), 5, tolerance: 4 * 5 / Double(n).squareRoot(), "exponential mean")
        #expect((0..<1000).allSatisfy { _ in !random.chance(0) && random.chance(1) })
    }

    @Test func populationIsDeterministicPerSeed() throws {
        func rooms(seed: Int, clients: Int = 300) throws -> Population {
            Population(
                scenario: try scenario(
                    """
                    {"name": "rooms", "seed": \(seed), "duration": "1m", "clients": \(clients),
                     "rooms": {"size": {"uniform": [2, 8]}}, "protocol": {"design": "ttl-entries"}}
                    """))
        }
        /// Each room's members, room after room, and each client's rooms.
        func layout(_ population: Population) -> (rooms: [[UInt32]], clients: [[RoomID]]) {
            (
                (0..<population.roomCount).map { Array(population.members(of: RoomID($0))) },
                (0..<population.clientCount).map { Array(population.rooms(of: ClientID($0))) }
            )
        }
        let first = try rooms(seed: 3)
        let again = try rooms(seed: 3)
        #expect(layout(first) == layout(again))
        #expect(try layout(rooms(seed: 4)).rooms != layout(first).rooms)
        // Rooms partition the population in order, each within the size bounds (the last may be cut short).
        #expect(first.isPartition && first.membershipCount == 300)
        #expect(layout(first).rooms.flatMap { $0 } == Array(0..<300))
        for room in 0..<first.roomCount {
            let members = first.members(of: RoomID(room))
            #expect(members.count <= 8 && (members.count >= 2 || room == first.roomCount - 1))
            #expect(first.size(of: RoomID(room)) == members.count)
            for (slot, client) in members.enumerated() {
                let id = ClientID(rawValue: client)
                #expect(Array(first.rooms(of: id)) == [RoomID(room)])
                #expect(first.slot(of: id, in: RoomID(room)) == slot)
            }
        }
        #expect(Set((0..<first.roomCount).map { first.members(of: RoomID($0)).count }).count > 3)
        // One more client does not reshuffle anyone's room.
        let grown = try rooms(seed: 3, clients: 301)
        #expect(Array(layout(grown).clients.prefix(300)) == layout(first).clients)
    }

    @Test func platformSharesFollowTheMobileSettings() throws {
        let scenario = try handScenario(
            design: "socketio-redis",
            behavior: #"{"online": "never", "offline": "never", "mobile": {"share": 0.4, "ios": 0.25}}"#,
            clients: 4000, roomSize: 4)
        let settings = ModelSettings(scenario: scenario)
        let population = Population(scenario: scenario)
        var counts: [Platform: Int] = [:]
        for client in 0..<4000 {
            counts[
                ClientModel(id: ClientID(client), population: population, settings: settings).platform, default: 0] += 1
        }
        // Mobile: 1600 ± 4 × 31; iOS: 400 ± 4 × 19.
        let mobile = (counts[.ios] ?? 0) + (counts[.android] ?? 0)
        expectClose(Double(mobile), 1600, tolerance: 124, "mobile clients")
        expectClose(Double(counts[.ios] ?? 0), 400, tolerance: 76, "iOS clients")
    }
}

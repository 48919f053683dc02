import Foundation
import PresenceCore
import Scenario
import Testing

@testable import Simulation

/// `cohorts`: each client is assigned a cohort on its own stream, and its models read the cohort's
/// behaviour and network.
@Suite struct CohortTests {
    static let clients = 3_000

    func cohortScenario(_ cohorts: String?, behavior: String = "{}", network: String = "{}", knobs: String = "")
        throws -> Scenario
    {
        try scenario(
            """
            {"name": "cohorts", "seed": 9, "duration": "2h", "clients": \(Self.clients), "rooms": {"size": 3},
             "timeline": "10m",
             "protocol": {"design": "ttl-entries", "heartbeat": "10m", "ttl": "30m", "pingInterval": "off"\(knobs)},
             "behavior": \(behavior), "network": \(network)\(cohorts.map { ", \"cohorts\": " + $0 } ?? "")}
            """)
    }

    static let twoCohorts = """
        [{"name": "desks", "share": 0.7}, {"name": "phones", "share": 0.3, "behavior": {"mobile": {"share": 1}}}]
        """

    /// Each cohort holds a binomial share of the clients: within 4 sd of share × clients.
    @Test func cohortsHoldTheirShareOfTheClients() throws {
        let settings = ModelSettings(scenario: try cohortScenario(Self.twoCohorts))
        #expect(settings.cohortOf.count == Self.clients)
        let phones = settings.cohortOf.filter { $0 == 1 }.count
        let sd = (Double(Self.clients) * 0.3 * 0.7).squareRoot()
        expectClose(Double(phones), 0.3 * Double(Self.clients), tolerance: 4 * sd, "clients in the phones cohort")
        #expect(settings.cohort(of: ClientID(0))?.name == settings.cohorts[Int(settings.cohortOf[0])].name)
        #expect(settings.cohortIndex(of: ClientID(5)) == Int(settings.cohortOf[5]))
    }

    /// A client's cohort depends on the seed and the client only: not on the protocol or the number of
    /// other clients.
    @Test func assignmentIsCommonRandomNumbers() throws {
        let base = ModelSettings(scenario: try cohortScenario(Self.twoCohorts))
        let faster = ModelSettings(scenario: try cohortScenario(Self.twoCohorts, knobs: ", \"leaveGrace\": \"5s\""))
        #expect(base.cohortOf == faster.cohortOf)
        var fewer = try cohortScenario(Self.twoCohorts)
        fewer.clients = 1_000
        #expect(ModelSettings(scenario: fewer).cohortOf == Array(base.cohortOf.prefix(1_000)))
    }

    /// The phones cohort's behaviour puts every one of its clients on a phone, and no one else.
    @Test func aCohortsBehaviorReachesItsClients() throws {
        let scenario = try cohortScenario(Self.twoCohorts)
        let settings = ModelSettings(scenario: scenario)
        let population = Population(scenario: scenario)
        for index in 0..<Self.clients {
            let model = ClientModel(id: ClientID(index), population: population, settings: settings)
            #expect((model.platform != .desktop) == (settings.cohortOf[index] == 1), "client \(index)")
        }
        let outcome = Simulator.run(scenario, engine: .events)
        let phones = settings.cohortOf.filter { $0 == 1 }.count
        #expect(outcome.platformCounts[.desktop] == Self.clients - phones)
    }

    /// Without cohorts nothing is drawn and every client has the scenario's behaviour and network; one
    /// cohort of share 1 that changes nothing gives exactly the same run.
    @Test func oneCohortOfEveryoneIsThePlainPopulation() throws {
        let behavior = """
            {"online": {"exponential": "20m"}, "offline": {"exponential": "40m"}, "mobile": {"share": 0.5}}
            """
        let network = #"{"latency": {"lognormal": {"median": "50ms", "p99": "400ms"}}, "loss": 0.01}"#
        let plain = try cohortScenario(nil, behavior: behavior, network: network)
        let single = try cohortScenario(#"[{"name": "all", "share": 1}]"#, behavior: behavior, network: network)
        #expect(ModelSettings(scenario: plain).cohortOf.isEmpty)
        #expect(single.cohorts[0].behavior == plain.behavior && single.cohorts[0].network == plain.network)
        let a = Simulator.run(plain, engine: .events)
        let b = Simulator.run(single, engine: .events)
        #expect(a.measurements.timeline == b.measurements.timeline)
        #expect(a.measurements.heartbeats == b.measurements.heartbeats && a.events == b.events)
    }

    /// The router sends each client's messages over its cohort's network: a message sent at 0 arrives
    /// after the cohort's constant latency.
    @Test func aCohortsNetworkCarriesItsClientsMessages() throws {
        let cohorts = """
            [{"name": "near", "share": 0.5, "network": {"latency": {"constant": "10ms"}}},
             {"name": "far", "share": 0.5, "network": {"latency": {"constant": "700ms"}}}]
            """
        let scenario = try cohortScenario(cohorts, network: #"{"latency": {"constant": "50ms"}}"#)
        let settings = ModelSettings(scenario: scenario)
        let population = Population(scenario: scenario)
        var router = Router(scenario: scenario, settings: settings, population: population, end: .zero + .hours(2))
        var host = ArrivalRecorder()
        for client in 0..<100 {
            router.route([.send(.heartbeat(.online, room: nil))], of: ClientID(client), now: .zero, host: &host)
        }
        #expect(host.arrivals.count == 100)
        for (client, arrival) in host.arrivals {
            let expected: Interval = settings.cohortOf[client.index] == 0 ? .milliseconds(10) : .milliseconds(700)
            #expect(arrival == Instant.zero + expected, "client \(client.index)")
        }
    }

    /// Each cohort's own profile: the share online is the cohorts' shares of their curves.
    @Test func cohortsMayHaveTheirOwnProfile() throws {
        let cohorts = """
            [{"name": "quiet", "share": 0.5, "behavior": {"profile": {"points": [["0s", 0.2]]}}},
             {"name": "busy", "share": 0.5, "behavior": {"profile": {"points": [["0s", 0.8]]}}}]
            """
        let behavior = #"{"online": {"exponential": "20m"}, "offline": {"exponential": "1h"}}"#
        let scenario = try cohortScenario(cohorts, behavior: behavior)
        #expect(scenario.cohorts.allSatisfy { $0.behavior.offline == .never && $0.behavior.profile != nil })
        let settings = ModelSettings(scenario: scenario)
        let busy = Double(settings.cohortOf.filter { $0 == 1 }.count)
        let quiet = Double(Self.clients) - busy
        let expected = 0.2 * quiet + 0.8 * busy
        let sd = (0.2 * 0.8 * quiet + 0.8 * 0.2 * busy).squareRoot()
        for point in Simulator.run(scenario, engine: .events).measurements.timeline {
            expectClose(Double(point.online), expected, tolerance: 4 * sd, "clients online at \(point.at)")
        }
    }
}

/// Records when each routed uplink arrives.
private struct ArrivalRecorder: RouterHost {
    var arrivals: [(ClientID, Instant)] = []

    mutating func uplink(_ message: Uplink, from client: ClientID, arrivesAt at: Instant) {
        arrivals.append((client, at))
    }
    mutating func schedule(_ input: ServerInput, at: Instant) {}
    mutating func schedule(_ input: ClientInput, for client: ClientID, at: Instant) {}
    mutating func schedulePing(_ client: ClientID, _ id: ConnectionID, at: Instant) {}
    mutating func scheduleClientFault(_ fault: Int, at: Instant) {}
}

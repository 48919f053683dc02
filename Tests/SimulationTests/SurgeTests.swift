import Foundation
import PresenceCore
import Scenario
import Testing

@testable import Simulation

/// The `surge` fault: a share of the clients offline at its instant come online, spread uniformly over
/// `within`.
@Suite struct SurgeTests {
    static let clients = 3_000

    /// 40 % online from the start and nobody else ever arriving on their own (a flat profile with spells
    /// that never end has no arrivals), so every arrival after 30 minutes is the surge's.
    func surgeScenario(share: Double = 0.5, within: String = "2m") throws -> Scenario {
        try scenario(
            """
            {"name": "surge", "seed": 4, "duration": "40m", "clients": \(Self.clients), "rooms": {"size": 4},
             "timeline": "30s",
             "protocol": {"design": "socketio-redis", "heartbeat": "5m", "ttl": "15m", "pingInterval": "off"},
             "behavior": {"online": "never", "profile": {"points": [["0s", 0.4]]}},
             "network": {"latency": {"constant": "20ms"}},
             "faults": [{"at": "30m", "kind": "surge", "share": \(share), "within": "\(within)"}]}
            """)
    }

    func online(_ outcome: RunOutcome, atMinutes minutes: Double) throws -> Int {
        try #require(outcome.measurements.timeline.first { $0.at == .zero + Interval(seconds: minutes * 60) }).online
    }

    /// The clients that come online within the window are a binomial share of those offline at its start;
    /// halfway through, about half of them have arrived.
    @Test func aShareOfTheOfflineClientsComeOnlineWithinTheWindow() throws {
        let outcome = Simulator.run(try surgeScenario(), engine: .events)
        let before = try online(outcome, atMinutes: 30)
        let offline = Double(Self.clients - before)
        #expect(try online(outcome, atMinutes: 29.5) == before)
        let halfway = Double(try online(outcome, atMinutes: 31) - before)
        let arrived = Double(try online(outcome, atMinutes: 32) - before)
        expectClose(arrived, 0.5 * offline, tolerance: 4 * (offline * 0.25).squareRoot(), "arrivals in the window")
        expectClose(halfway, 0.25 * offline, tolerance: 4 * (offline * 0.25 * 0.75).squareRoot(), "arrivals by 31m")
        // After the window nobody else arrives.
        #expect(try online(outcome, atMinutes: 40) == before + Int(arrived))
    }

    /// A surge of everyone with no spread brings every offline client online at its instant.
    @Test func aSurgeOfEveryoneAtOnce() throws {
        let outcome = Simulator.run(try surgeScenario(share: 1, within: "0s"), engine: .events)
        #expect(try online(outcome, atMinutes: 30.5) == Self.clients)
    }

    /// A client online at the surge ignores it, and a client whose own arrival comes first keeps it:
    /// driven by hand.
    @Test func onlyOfflineClientsTakePart() throws {
        let scenario = try handScenario(
            design: "ttl-entries", behavior: #"{"online": {"constant": "10m"}, "offline": {"constant": "10m"}}"#)
        var client = ClientDriver(scenario)
        client.bringOnline(at: 1)
        #expect(client.handle(.surge(after: .seconds(5)), at: 100).isEmpty)
        // Offline after its spell: the surge's arrival is scheduled on the spell's tag.
        _ = client.fire(.spellEnd, tag: 0, at: 601)
        let effects = client.handle(.surge(after: .seconds(5)), at: 700)
        #expect(effects == [.schedule(.surgeArrival, tag: 1, at: instant(705))])
        let arrival = client.fire(.surgeArrival, tag: 1, at: 705)
        #expect(arrival.contains(.truth(present: true, cause: .graceful)))
        // Its own arrival, due at 1201 on the old tag, is now stale.
        #expect(client.fire(.comeOnline, tag: 1, at: 1201).isEmpty)
    }

    /// Both engines run the surge the same way.
    @Test func bothEnginesAgree() throws {
        let scenario = try surgeScenario()
        let events = Simulator.run(scenario, engine: .events)
        let actors = Simulator.run(scenario, engine: .actors)
        #expect(events.measurements.timeline == actors.measurements.timeline)
        #expect(events.events == actors.events)
    }

    /// The surge's draws come from the fault stream: changing the protocol does not change who comes.
    @Test func surgeArrivalsAreCommonRandomNumbers() throws {
        let base = try surgeScenario()
        var other = base
        other.presence.heartbeat = .minutes(1)
        #expect(
            Simulator.run(base, engine: .events).measurements.timeline.map(\.online)
                == Simulator.run(other, engine: .events).measurements.timeline.map(\.online))
    }
}

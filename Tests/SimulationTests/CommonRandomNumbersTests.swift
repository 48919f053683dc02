import PresenceCore
import Scenario
import Simulation
import Testing

/// Common random numbers: what the simulated people do is drawn from behaviour streams only, so runs
/// that differ in a protocol or network knob simulate the same population doing the same things. The
/// truly-online timeline (ground truth) must then be identical point for point, while what observers
/// see (the thing the knob changes) is free to move.
@Suite struct CommonRandomNumbersTests {
    /// Churn, hidden tabs, phones that suspend, outages and typing: every behaviour the model has.
    private static func population(design: String, protocol knobs: String, network: String) throws -> Scenario {
        try scenario(
            """
            {"name": "crn", "seed": 7, "duration": "90m", "warmup": "5m", "timeline": "1m", "clients": 400,
             "rooms": {"size": {"uniform": [2, 8]}},
             "protocol": {"design": "\(design)"\(knobs.isEmpty ? "" : ", " + knobs)},
             "behavior": {"online": {"lognormal": {"median": "10m", "p99": "2h"}}, "offline": {"exponential": "20m"},
                          "graceful": 0.5, "vanish": 0.5,
                          "hidden": {"every": {"exponential": "6m"}, "for": {"lognormal": {"median": "1m", "p99": "20m"}}},
                          "mobile": {"share": 0.5, "ios": 0.5, "backgroundTask": 0.2, "killWhileSuspended": 0.3},
                          "typing": {"burstsPerHour": 6, "burst": {"uniform": ["2s", "10s"]}, "keystroke": "300ms"}},
             "network": {"outages": {"every": {"exponential": "30m"}, "for": {"lognormal": {"median": "20s", "p99": "3m"}}}\(network.isEmpty ? "" : ", " + network)}}
            """)
    }

    /// A run's ground truth: clients truly online at each timeline point, and client-seconds online.
    private static func truth(_ scenario: Scenario) -> (online: [Int], seconds: Double) {
        let outcome = Simulator.run(scenario, engine: .events)
        return (outcome.measurements.timeline.map(\.online), outcome.measurements.onlineClientSeconds)
    }

    struct Knob: Sendable, CustomTestStringConvertible {
        var design: String
        var name: String
        var a: (protocol: String, network: String)
        var b: (protocol: String, network: String)
        var testDescription: String { "\(design): \(name)" }
    }

    static let knobs: [Knob] = [
        Knob(design: "http-polling", name: "network.loss", a: ("", #""loss": 0"#), b: ("", #""loss": 0.05"#)),
        Knob(
            design: "ttl-entries", name: "protocol.heartbeat", a: (#""heartbeat": "10s""#, ""),
            b: (#""heartbeat": "25s", "ttl": "60s""#, "")),
        Knob(
            design: "socketio-redis", name: "network.latency",
            a: ("", #""latency": {"constant": "20ms"}"#),
            b: ("", #""latency": {"lognormal": {"median": "200ms", "p99": "3s"}}"#)),
        Knob(design: "socketio-redis", name: "network.loss", a: ("", #""loss": 0"#), b: ("", #""loss": 0.1"#)),
        Knob(
            design: "ttl-entries", name: "protocol.reconnect",
            a: (#""reconnect": {"initial": "1s", "max": "30s", "jitter": 0}"#, ""),
            b: (#""reconnect": {"initial": "5s", "max": "2m", "jitter": 0.5}"#, "")),
        Knob(
            design: "http-polling", name: "protocol.heartbeat", a: (#""heartbeat": "30s""#, ""),
            b: (#""heartbeat": "5s""#, "")),
        // The redis expiry model draws from a stream of its own: turning it on moves no behaviour.
        Knob(
            design: "socketio-redis", name: "protocol.expiry", a: (#""expiry": "30s""#, ""),
            b: (#""expiry": {"redis": {"hz": 20}}"#, "")),
        Knob(
            design: "http-polling", name: "protocol.expiry", a: (#""expiry": "off""#, ""),
            b: (#""expiry": "redis""#, "")),
    ]

    @Test(arguments: knobs)
    func aKnobChangesNothingPeopleDo(knob: Knob) throws {
        let a = Self.truth(try Self.population(design: knob.design, protocol: knob.a.protocol, network: knob.a.network))
        let b = Self.truth(try Self.population(design: knob.design, protocol: knob.b.protocol, network: knob.b.network))
        #expect(a.online.count == 85)
        let differing = zip(a.online, b.online).filter { $0 != $1 }.count
        #expect(differing == 0, "truly online differs at \(differing) of \(a.online.count) points")
        #expect(a.seconds == b.seconds)
    }

    /// Switching the design itself keeps the population too: the designs differ in what the server does.
    @Test func theDesignChangesNothingPeopleDo() throws {
        let runs = try ["socketio-redis", "http-polling", "ttl-entries"].map {
            Self.truth(try Self.population(design: $0, protocol: "", network: ""))
        }
        #expect(runs[0].online == runs[1].online && runs[1].online == runs[2].online)
    }

    /// The check above would pass vacuously if the knob did nothing: it must move what observers see.
    @Test func theKnobStillMovesWhatObserversSee() throws {
        let knob = Self.knobs[0]
        let a = Simulator.run(
            try Self.population(design: knob.design, protocol: "", network: knob.a.network), engine: .events)
        let b = Simulator.run(
            try Self.population(design: knob.design, protocol: "", network: knob.b.network), engine: .events)
        #expect(a.measurements.timeline.map(\.shownOnlineViews) != b.measurements.timeline.map(\.shownOnlineViews))
    }
}

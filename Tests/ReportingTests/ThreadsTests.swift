import PresenceCore
import Reporting
import Scenario
import Simulation
import Testing

/// `rooms.threads`: rooms that carry typing only (seed 000's thread rooms), against figures derived by hand.
@Suite struct ThreadsTests {
    /// 300 always-online clients in families of 20 (the 10–99 bucket), each in two threads of 4 (the 1–9
    /// bucket) when `threads` is set, typing 20 times an hour.
    private static func scenario(
        _ design: String, threads: Bool, typing: Bool = true, behavior: String? = nil, protocol extra: String = ""
    ) throws -> Scenario {
        let rooms =
            threads ? #"{"size": 20, "threads": {"size": 4, "perClient": 2}}"# : #"{"size": 20}"#
        let typingKey =
            typing ? #", "typing": {"burstsPerHour": 20, "burst": {"constant": "3s"}, "keystroke": "500ms"}"# : ""
        let sessions = behavior ?? #""online": "never", "offline": "never""#
        return try ScenarioLoader.load(
            bytes: Array(
                """
                {"name": "threads", "seed": 3, "duration": "10m", "warmup": "2m", "clients": 300, "rooms": \(rooms),
                 "protocol": {"design": "\(design)", "heartbeat": "10s"\(extra)},
                 "behavior": {\(sessions)\(typingKey)},
                 "network": {"latency": {"constant": "20ms"}}}
                """.utf8), file: "threads.json")
    }

    private static func report(_ scenario: Scenario, engine: EngineKind = .events) -> RunReport {
        RunReport(
            scenario: scenario, outcome: Simulator.run(scenario, engine: engine), wallSeconds: 0, peakMemoryBytes: 0)
    }

    /// Typing reaches the other 3 members of a thread, and nothing else: once everyone is online the
    /// families push no event, and design C heartbeats its family entry alone, 300 × 1 / 10 s = 30/s (with
    /// its two threads it would be 90/s).
    @Test(arguments: ["socketio-redis", "ttl-entries"])
    func typingGoesToThreadsAlone(design: String) throws {
        for engine in [EngineKind.events, .actors] {
            let outcome = Simulator.run(try Self.scenario(design, threads: true), engine: engine)
            let families = outcome.measurements.fanoutByRoomSize
            #expect(families.map(\.smallest) == [1, 10] && families.map(\.rooms) == [0, 15])
            #expect(families.allSatisfy { $0.events == 0 }, "\(design) on \(engine): the families pushed events")
            let threads = outcome.measurements.fanoutByThreadSize
            #expect(threads.map(\.smallest) == [1] && threads.map(\.rooms) == [150])
            let perEvent = threads[0].recipientsPerEvent.summary
            #expect(perEvent.count > 100, "\(design) on \(engine)")
            #expect(perEvent.mean == 3 && perEvent.max == 3 && perEvent.p50 == 3, "\(design) on \(engine)")
            #expect(threads[0].deliveries == outcome.measurements.deliveries)
            #expect(outcome.population.rooms == 15 && outcome.population.threads?.count == 150)
            let heartbeats = Double(outcome.measurements.heartbeats) / outcome.measurements.measuredSeconds
            // The measured 480 s hold 48 heartbeats of each client, ± one.
            #expect(abs(heartbeats - 30) <= 30.0 / 48, "\(design) on \(engine): \(heartbeats) heartbeats/s")
        }
    }

    /// Without threads the same typing goes to the families: 19 recipients an event.
    @Test func withoutThreadsTypingGoesToTheFamilies() throws {
        let outcome = Simulator.run(try Self.scenario("socketio-redis", threads: false), engine: .events)
        let perEvent = outcome.measurements.recipientsPerEvent.summary
        #expect(perEvent.count > 100 && perEvent.mean == 19 && perEvent.max == 19)
    }

    /// Threads carry no presence: with nobody typing, every figure of a run whose users come and go is the
    /// same, exactly, with or without threads (the families are drawn from the same streams). Design B's
    /// typing polls, which go to the threads, are off here.
    @Test(arguments: ["socketio-redis", "http-polling", "ttl-entries"])
    func presenceIsTheSameWithOrWithoutThreads(design: String) throws {
        let sessions = #""online": {"exponential": "4m"}, "offline": {"exponential": "6m"}, "graceful": 0.5"#
        let extra = design == "http-polling" ? #", "typingPoll": "off""# : ""
        let with = Self.report(
            try Self.scenario(design, threads: true, typing: false, behavior: sessions, protocol: extra))
        let without = Self.report(
            try Self.scenario(design, threads: false, typing: false, behavior: sessions, protocol: extra))
        let paths = with.metrics.values.keys.filter { !$0.hasPrefix("run.") }.sorted()
        #expect(paths.count > 30)
        for path in paths {
            #expect(with.metrics[path] == without.metrics[path], "\(design): \(path)")
        }
        #expect(with.metrics["staleness.store.offlineDetection.count"] ?? 0 > 0)
    }

    /// Design B polls typing in each thread (every 2 s, its default) and presence in the family: two threads
    /// instead of one family add 300 × (2 − 1) / 2 s = 150 requests and store reads a second, ± one poll of
    /// each client's over the 480 s measured. The polls find every burst within 2 s and a round trip.
    @Test func designBPollsTypingInThreads() throws {
        let with = Self.report(try Self.scenario("http-polling", threads: true, typing: false))
        let without = Self.report(try Self.scenario("http-polling", threads: false, typing: false))
        for path in ["cost.requestsPerSecond", "cost.storeOpsPerSecond"] {
            let extra = (with.metrics[path] ?? 0) - (without.metrics[path] ?? 0)
            #expect(abs(extra - 150) <= 300.0 / 480, "\(path): \(extra) more a second")
        }
        let typing = Simulator.run(try Self.scenario("http-polling", threads: true), engine: .events)
        let shown = typing.measurements.typingPropagation.summary
        #expect(shown.count > 100 && shown.max <= 2.1)
    }
}

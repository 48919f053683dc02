// Whole simulator runs (Simulation.Simulator.run) on both engines.
//
// The population heartbeats and expires: design C (ttl-entries, exact expiry) with a heartbeat every
// 20 s and a 60 s TTL, clients going online and offline every few minutes, half of the spells ending without a
// goodbye, so their entries expire. One iteration is one whole run of 10 simulated minutes; the events
// it processed are reported as the custom metric `events` (exact, gated: a change means the workload
// changed and the other figures are not comparable) and `eventsPerSecond` (wall clock, shown only).

import Benchmark
import BenchmarkSupport
import Scenario
import Simulation

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: gatedMetrics + shownMetrics + [Engine.events, Engine.eventsPerSecond],
        warmupIterations: 1,
        scalingFactor: .one,
        maxDuration: .seconds(120),
        maxIterations: 5
    )

    Benchmark(
        "EventsEngine-10kClients-10min",
        configuration: .init(thresholds: Engine.thresholds(mallocs: 3_300))
    ) { (benchmark, scenario: Scenario) in
        Engine.run(scenario, on: .events, benchmark)
    } setup: {
        try Engine.scenario(clients: 10_000)
    }

    Benchmark(
        "ActorsEngine-2kClients-10min",
        configuration: .init(thresholds: Engine.thresholds(mallocs: 1_000))
    ) { (benchmark, scenario: Scenario) in
        Engine.run(scenario, on: .actors, benchmark)
    } setup: {
        try Engine.scenario(clients: 2_000)
    }
}

enum Engine {
    static let events = BenchmarkMetric.custom("events", polarity: .prefersSmaller, useScalingFactor: false)
    static let eventsPerSecond = BenchmarkMetric.custom(
        "eventsPerSecond", polarity: .prefersLarger, useScalingFactor: false)

    static func thresholds(mallocs: Int) -> [BenchmarkMetric: BenchmarkThresholds] {
        gatedThresholds(
            mallocs: mallocs,
            extra: [events: BenchmarkThresholds(absolute: [.p90: 0]), eventsPerSecond: BenchmarkThresholds.none])
    }

    static func scenario(clients: Int) throws -> Scenario {
        let json = """
            {
              "name": "engine-benchmark",
              "seed": 11,
              "duration": "10m",
              "clients": \(clients),
              "rooms": { "size": { "uniform": [2, 8] } },
              "protocol": { "design": "ttl-entries", "heartbeat": "20s", "ttl": "3x" },
              "behavior": {
                "online": { "exponential": "4m" },
                "offline": { "exponential": "2m" },
                "graceful": 0.5
              }
            }
            """
        return try ScenarioLoader.load(bytes: Array(json.utf8), file: "engine-benchmark.json")
    }

    static func run(_ scenario: Scenario, on engine: EngineKind, _ benchmark: Benchmark) {
        let start = ContinuousClock.now
        let outcome = Simulator.run(scenario, engine: engine)
        let elapsed = ContinuousClock.now - start
        precondition(outcome.complete, "the run stopped early")
        benchmark.measurement(events, outcome.events)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        benchmark.measurement(eventsPerSecond, Int(Double(outcome.events) / seconds))
    }
}

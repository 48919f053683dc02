import PresenceCore
import Scenario
import Simulation

/// A run's report: what `report.json` holds, and what the summary, Markdown and HTML are made from.
public struct RunReport: Sendable {
    public static let schema = "presence-sim/report@1"

    public var scenario: Scenario
    public var outcome: RunOutcome
    public var metrics: MetricValues
    public var thresholds: [ThresholdResult]
    /// The replications pooled into this report, when the scenario asked for more than one.
    public var replications: ReplicationSet?
    /// Wall-clock figures: the only part of a report that differs between identical runs.
    public var wallSeconds: Double
    public var peakMemoryBytes: Int

    public init(scenario: Scenario, outcome: RunOutcome, wallSeconds: Double, peakMemoryBytes: Int) {
        self.scenario = scenario
        self.outcome = outcome
        var metrics = MetricValues(outcome.measurements)
        metrics.addCohorts(scenario.cohorts.map(\.name), outcome.cohorts.map(MetricValues.init))
        self.metrics = metrics
        thresholds = scenario.thresholds.map { ThresholdResult(threshold: $0, metrics: metrics) }
        self.wallSeconds = wallSeconds
        self.peakMemoryBytes = peakMemoryBytes
    }

    /// The report of a scenario's replications, `outcomes[i]` being replication `i` (nil if it never
    /// started): the replications that finished are pooled, in order, with their intervals.
    ///
    /// With one replication planned this is exactly the plain run's report. When none finished (a run
    /// stopped during its first replications), the report is that of the first one started, stopped.
    public init(scenario: Scenario, replications outcomes: [RunOutcome?], wallSeconds: Double, peakMemoryBytes: Int) {
        let started = outcomes.enumerated().compactMap { index, outcome in
            outcome.map { (index: index, outcome: $0) }
        }
        precondition(!started.isEmpty, "a report needs at least one replication that started")
        let finished = started.filter(\.outcome.complete)
        guard scenario.replications > 1 else {
            self.init(
                scenario: scenario, outcome: started[0].outcome, wallSeconds: wallSeconds,
                peakMemoryBytes: peakMemoryBytes)
            return
        }
        let kept = finished.isEmpty ? [started[0]] : finished
        var pooled = kept[0].outcome
        pooled.measurements = Measurements.pooled(kept.map(\.outcome.measurements))
        pooled.cohorts = pooled.cohorts.indices.map { cohort in
            Measurements.pooled(kept.map { $0.outcome.cohorts[cohort] })
        }
        pooled.events = kept.reduce(0) { $0 + $1.outcome.events }
        pooled.complete = finished.count == scenario.replications
        self.init(scenario: scenario, outcome: pooled, wallSeconds: wallSeconds, peakMemoryBytes: peakMemoryBytes)
        let names = scenario.cohorts.map(\.name)
        var metrics = MetricValues(pooled: pooled.measurements, replications: kept.count)
        metrics.addCohorts(names, pooled.cohorts.map { MetricValues(pooled: $0, replications: kept.count) })
        self.metrics = metrics
        thresholds = scenario.thresholds.map { ThresholdResult(threshold: $0, metrics: metrics) }
        replications = ReplicationSet(
            planned: scenario.replications,
            seeds: kept.map { Replication.seed(scenario.seed, replication: $0.index) },
            values: kept.map { replication in
                var values = MetricValues(replication.outcome.measurements)
                values.addCohorts(names, replication.outcome.cohorts.map(MetricValues.init))
                return values
            })
    }

    public var thresholdsPassed: Bool { thresholds.allSatisfy(\.passed) }

    /// The deterministic content: everything but the engine name and the wall-clock figures.
    private var deterministicSections: [(key: String, value: JSONValue)] {
        let m = outcome.measurements
        return [
            ("scenario", scenario.resolvedJSON()),
            ("population", outcome.population.json),
            ("staleness", metrics.json(section: "staleness")),
            ("cost", metrics.json(section: "cost")),
            ("fanout", metrics.json(section: "fanout")),
            ("fanoutByRoomSize", .array(m.fanoutByRoomSize.map { $0.json(measuredSeconds: m.measuredSeconds) })),
        ]
            + (m.fanoutByThreadSize.isEmpty
                ? []
                : [
                    (
                        "fanoutByThreadSize",
                        .array(m.fanoutByThreadSize.map { $0.json(measuredSeconds: m.measuredSeconds) })
                    )
                ])
            + (scenario.cohorts.isEmpty ? [] : [("cohorts", metrics.cohortsJSON(scenario.cohorts.map(\.name)))])
            + [
                ("timeline", .array(m.timeline.map(\.json))),
                (
                    "distributions",
                    [
                        "offlineDetection": curve(m.observers.offlineDetection),
                        "storeOfflineDetection": curve(m.store.offlineDetection),
                        "storeKeyOfflineDetection": curve(m.storeKey.offlineDetection),
                        "recipientsPerEvent": .array(
                            m.recipientsPerEvent.buckets.map { [JSONValue($0.value), JSONValue($0.events)] }),
                    ]
                ),
                ("thresholds", .array(thresholds.map(\.json))),
            ].map { (key: $0.0, value: $0.1) } + (replications.map { [(key: "replications", value: $0.json)] } ?? [])
    }

    private func curve(_ histogram: DurationHistogram) -> JSONValue {
        .array(histogram.percentileCurve().map { [JSONValue($0.seconds), JSONValue($0.percentile)] })
    }

    /// A hash of the deterministic results (FNV-1a, 64 bits), the same on both engines: every section but
    /// `run`, and the events processed (summed over the replications).
    public var fingerprint: String {
        var bytes: [UInt8] = []
        JSONValue.object(deterministicSections + [(key: "events", value: JSONValue(outcome.events))]).write(
            to: &bytes, style: .compact)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public var json: JSONValue {
        let sections = deterministicSections
        let run: JSONValue = [
            "engine": .string(outcome.engine.rawValue),
            "events": JSONValue(outcome.events),
            "simulatedSeconds": .number(outcome.simulated.seconds),
            "wallSeconds": .number(wallSeconds),
            "eventsPerSecond": .number(wallSeconds > 0 ? Double(outcome.events) / wallSeconds : 0),
            "peakMemoryBytes": JSONValue(peakMemoryBytes),
            "fingerprint": .string(fingerprint),
            "clients": [
                "desktop": JSONValue(outcome.platformCounts[.desktop] ?? 0),
                "ios": JSONValue(outcome.platformCounts[.ios] ?? 0),
                "android": JSONValue(outcome.platformCounts[.android] ?? 0),
            ],
        ]
        return .object(
            [
                (key: "schema", value: .string(Self.schema)),
                (key: "complete", value: .bool(outcome.complete)),
                (key: "run", value: run),
            ] + sections)
    }
}

extension PopulationSummary {
    var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("rooms", JSONValue(rooms)),
            ("memberships", JSONValue(memberships)),
            ("droppedMemberships", JSONValue(droppedMemberships)),
            ("roomSize", roomSize.countJSON),
            ("roomsPerClient", roomsPerClient.countJSON),
        ]
        if let threads {
            members.append(
                (
                    "threads",
                    [
                        "count": JSONValue(threads.count), "size": threads.size.countJSON,
                        "perClient": threads.perClient.countJSON,
                    ]
                ))
        }
        if !cohorts.isEmpty {
            members.append(("cohorts", .object(cohorts.map { (key: $0.name, value: JSONValue($0.clients)) })))
        }
        return .object(members)
    }
}

extension Summary {
    /// A distribution of whole numbers: count, mean, p50, p90, p99, max.
    var countJSON: JSONValue {
        [
            "count": JSONValue(count), "mean": .number(mean), "p50": .number(p50), "p90": .number(p90),
            "p99": .number(p99), "max": .number(max),
        ]
    }
}

extension FanoutBucket {
    /// "1–9", "10–99", …
    public var sizeLabel: String { "\(Format.grouped(smallest))–\(Format.grouped(largest))" }

    /// The bucket's rooms and what was pushed to them: deliveries per second over the measured window, and
    /// recipients per event.
    func json(measuredSeconds: Double) -> JSONValue {
        [
            "roomSize": [JSONValue(smallest), JSONValue(largest)],
            "rooms": JSONValue(rooms),
            "events": JSONValue(events),
            "deliveries": JSONValue(deliveries),
            "deliveriesPerSecond": .number(Double(deliveries) / max(measuredSeconds, 1e-9)),
            "perEvent": recipientsPerEvent.summary.countJSON,
        ]
    }
}

extension TimelinePoint {
    var json: JSONValue {
        [
            "t": .number(at.seconds),
            "online": JSONValue(online),
            "storeOnline": JSONValue(storeOnline),
            "shownOnlineViews": JSONValue(shownOnlineViews),
            "trulyOnlineViews": JSONValue(trulyOnlineViews),
            "falseOfflineViews": JSONValue(falseOfflineViews),
            "heartbeatsPerSecond": .number(heartbeatsPerSecond),
            "deliveriesPerSecond": .number(deliveriesPerSecond),
        ]
    }
}

/// A threshold checked against a run.
public struct ThresholdResult: Sendable {
    public var threshold: Threshold
    public var value: Double
    public var passed: Bool

    init(threshold: Threshold, metrics: MetricValues) {
        self.threshold = threshold
        value = metrics[threshold.metric] ?? .nan
        passed = threshold.comparison.holds(value, threshold.value)
    }

    var json: JSONValue {
        [
            "metric": .string(threshold.metric),
            "condition": .string(threshold.text),
            "value": .number(value),
            "passed": .bool(passed),
        ]
    }
}

import Foundation
import PresenceCore
import Scenario
import Simulation
import Testing

@testable import Reporting

private func load(_ json: String) throws -> Scenario {
    try ScenarioLoader.load(bytes: Array(json.utf8), file: "test.json")
}

private func bytes(_ report: RunReport) -> String { report.json.serialized() }

/// Replications: seeds, pooling, intervals against a closed form, and independence from `jobs`.
@Suite struct ReplicationTests {
    /// Vanish-only clients on design C with exact expiry and no latency: a departure is detected when the
    /// entry of the last heartbeat expires, ttl − U(0, h) after it, so the detection time is uniform on
    /// (ttl − h, ttl] with mean ttl − h/2 = 20 s and standard deviation h/√12 = 2.89 s (DOMAIN.md).
    static let vanishOnly = """
        {"name": "vanish", "seed": 5, "duration": "2h", "warmup": "10m", "clients": 200, "rooms": {"size": 4},
         "protocol": {"design": "ttl-entries", "heartbeat": "10s", "ttl": "25s"},
         "behavior": {"online": {"exponential": "20m"}, "offline": {"exponential": "10m"},
                      "graceful": 0, "vanish": 1}}
        """

    /// A small scenario with every kind of behaviour, for checks that do not need a closed form.
    static let busy = """
        {"name": "busy", "seed": 9, "duration": "20m", "warmup": "2m", "clients": 80, "rooms": {"size": {"uniform": [2, 6]}},
         "protocol": {"design": "socketio-redis"},
         "behavior": {"online": {"exponential": "5m"}, "offline": {"exponential": "3m"}, "graceful": 0.5,
                      "typing": {"burstsPerHour": 20, "burst": {"uniform": ["2s", "10s"]}, "keystroke": "300ms"},
                      "mobile": {"share": 0.5}},
         "network": {"latency": {"lognormal": {"median": "50ms", "p99": "400ms"}}, "loss": 0.01}}
        """

    private static func replications(_ scenario: Scenario, _ count: Int, jobs: Int = 2) -> [RunOutcome?] {
        ParallelRuns.run((0..<count).map(scenario.replication), engine: .events, jobs: jobs)
    }

    private static func report(_ scenario: Scenario, _ outcomes: [RunOutcome?]) -> RunReport {
        var scenario = scenario
        scenario.replications = outcomes.count
        return RunReport(scenario: scenario, replications: outcomes, wallSeconds: 0, peakMemoryBytes: 0)
    }

    /// The interval contains the true mean at N = 5 and N = 20, its half-width is the sampling error
    /// t · (σ/√m)/√N of a replication's mean over m detections, and it shrinks as √N. Replication i runs
    /// on the same seed whatever N, so the first five of twenty are the five of N = 5.
    @Test func intervalsCoverTheClosedFormAndShrinkAsTheSquareRootOfN() throws {
        let scenario = try load(Self.vanishOnly)
        let outcomes = Self.replications(scenario, 20)
        let five = try #require(Self.report(scenario, Array(outcomes.prefix(5))).replications)
        let twenty = try #require(Self.report(scenario, outcomes).replications)
        let sigma = 10 / 12.squareRoot()
        for path in ["staleness.store.offlineDetection.mean", "staleness.offlineDetection.mean"] {
            // The standard error of one replication's mean over its m departures. Each departure is seen
            // by the store once and by every online member of its room at the same instant, so observers'
            // detections are not independent samples: m counts departures, from the store.
            let departures = try #require(twenty.intervals["staleness.store.offlineDetection.count"]).mean
            #expect(departures > 500, "too few departures to test")
            let standardError = sigma / departures.squareRoot()
            for (set, n) in [(five, 5.0), (twenty, 20.0)] {
                let interval = try #require(set.intervals[path])
                #expect(interval.low <= 20 && 20 <= interval.high, "\(path), N = \(n): \(interval) misses 20 s")
                let expected = StudentT.critical(confidence: 0.95, df: n - 1) * standardError / n.squareRoot()
                // s/σ lies within these bounds with probability 99.9% (χ² with N − 1 degrees of freedom).
                let bounds = n == 5 ? (0.15, 2.3) : (0.53, 1.55)
                let ratio = interval.halfWidth / expected
                #expect(ratio > bounds.0 && ratio < bounds.1, "\(path), N = \(n): half-width \(ratio) × expected")
            }
            let stdevRatio = try #require(five.intervals[path]).stdev / (twenty.intervals[path]!.stdev)
            let shrink = try #require(five.intervals[path]).halfWidth / twenty.intervals[path]!.halfWidth
            let expectedShrink =
                StudentT.critical(confidence: 0.95, df: 4) / StudentT.critical(confidence: 0.95, df: 19) * 2
            #expect(abs(shrink - expectedShrink * stdevRatio) < 1e-9)
            #expect(shrink > 1.5, "\(path): N = 20 should be well narrower than N = 5, got × \(shrink)")
        }
        // The pooled figure is the mean of all 20 × m detections: it lies close to 20 s too.
        let pooled = try #require(Self.report(scenario, outcomes).metrics["staleness.store.offlineDetection.mean"])
        #expect(abs(pooled - 20) < 0.1, "pooled mean \(pooled)")
    }

    @Test func oneReplicationIsAPlainRun() throws {
        let scenario = try load(Self.busy)
        #expect(scenario.replications == 1)
        #expect(scenario.resolvedJSON()["replications"] == nil)
        #expect(scenario.replication(0) == scenario)
        let outcome = Simulator.run(scenario, engine: .events)
        let plain = RunReport(scenario: scenario, outcome: outcome, wallSeconds: 0, peakMemoryBytes: 0)
        let single = RunReport(scenario: scenario, replications: [outcome], wallSeconds: 0, peakMemoryBytes: 0)
        #expect(single.replications == nil)
        #expect(bytes(single) == bytes(plain))
        #expect(MarkdownRenderer.render(single) == MarkdownRenderer.render(plain))
    }

    @Test func seedsAreDerivedAndDistinct() {
        #expect(Replication.seed(42, replication: 0) == 42)
        // Pinned: a change to the mixing would silently change every report with replications.
        #expect(Replication.seed(1, replication: 1) == 0xff99_daf2_ac55_9088)
        for seed: UInt64 in [0, 1, 7, .max] {
            let seeds = (0..<1000).map { Replication.seed(seed, replication: $0) }
            #expect(Set(seeds).count == 1000, "seed \(seed): replication seeds collide")
        }
        // Neighbouring scenario seeds do not share replications.
        let one = Set((1..<100).map { Replication.seed(1, replication: $0) })
        let two = Set((1..<100).map { Replication.seed(2, replication: $0) })
        #expect(one.isDisjoint(with: two))
    }

    /// The same bytes whatever the number of jobs, in the order of the replications.
    @Test func resultsDoNotDependOnJobs() throws {
        let scenario = try load(Self.busy)
        let serial = Self.report(scenario, Self.replications(scenario, 4, jobs: 1))
        let parallel = Self.report(scenario, Self.replications(scenario, 4, jobs: 3))
        #expect(bytes(serial) == bytes(parallel))
        #expect(HTMLRenderer.render(serial) == HTMLRenderer.render(parallel))
        #expect(serial.fingerprint == parallel.fingerprint)
        #expect(serial.replications?.seeds == (0..<4).map { Replication.seed(9, replication: $0) })
    }

    /// Pooling merges the measurements: rates over the summed time, counts per replication, maxima over all,
    /// the timeline of the first replication; and the block lists every catalog metric.
    @Test func pooledFiguresMergeTheReplications() throws {
        let scenario = try load(Self.busy)
        let outcomes = Self.replications(scenario, 3).compactMap { $0 }
        let report = Self.report(scenario, outcomes)
        let set = try #require(report.replications)
        let each = outcomes.map { MetricValues($0.measurements) }
        let heartbeats = outcomes.reduce(0) { $0 + $1.measurements.heartbeats }
        let seconds = outcomes.reduce(0.0) { $0 + $1.measurements.measuredSeconds }
        #expect(report.metrics["cost.heartbeatsPerSecond"] == Double(heartbeats) / seconds)
        for path in ["staleness.ghosts.count", "staleness.offlineDetection.count"] {
            let mean = each.map { $0[path]! }.reduce(0, +) / 3
            #expect(abs(report.metrics[path]! - mean) < 1e-9, "\(path)")
            #expect(abs(set.intervals[path]!.mean - mean) < 1e-9, "\(path)")
        }
        #expect(
            report.metrics["staleness.offlineDetection.max"] == each.map { $0["staleness.offlineDetection.max"]! }.max()
        )
        #expect(report.outcome.measurements.timeline == outcomes[0].measurements.timeline)
        #expect(report.outcome.events == outcomes.reduce(0) { $0 + $1.events })
        let json = report.json
        let block = try #require(json["replications"])
        #expect(block["count"] == 3 && block["planned"] == nil)
        // Every metric but the expiry lag, which only a store that expires late (a sweep, "redis") reports.
        #expect(
            block["metrics"]?.objectValue?.map(\.key)
                == MetricCatalog.all.map(\.path).filter { !$0.hasPrefix("staleness.expiryLag.") })
        let first = try #require(block["metrics"]?["cost.heartbeatsPerSecond"])
        #expect(first["ci95"]?.arrayValue?.count == 2 && first["stdev"]?.doubleValue ?? 0 > 0)
        #expect(ReplicationSet(json: block) == set)
        #expect(json["scenario"]?["replications"] == 3)
        #expect(report.headline.hasSuffix("3 replications"))
        let summary = TextRenderer(colour: false).render(report.tables)
        #expect(summary.contains(" ± "))
    }

    /// A run stopped between replications pools those that finished and says so; one stopped during its
    /// first replication keeps that replication's partial figures.
    @Test func aStoppedSetKeepsWhatFinished() throws {
        let scenario = try load(Self.busy)
        let outcomes = Self.replications(scenario, 3)
        var stopped = try #require(outcomes[2])
        stopped.complete = false
        let report = Self.report(scenario, [outcomes[0], nil, stopped, outcomes[1]])
        #expect(report.outcome.complete == false)
        #expect(report.json["complete"] == false)
        #expect(report.replications?.seeds == [0, 3].map { Replication.seed(9, replication: $0) })
        #expect(report.replications?.json["planned"] == 4)
        #expect(report.stoppedNote == "after 2 of 4 replications")
        #expect(HTMLRenderer.render(report).contains("Incomplete set of replications"))
        let none = Self.report(scenario, [stopped, nil])
        #expect(none.replications?.count == 1 && none.replications?.intervals.isEmpty == true)
        #expect(none.outcome.complete == false)
    }

    @Test func theHTMLPageShowsIntervals() throws {
        let scenario = try load(Self.busy)
        let page = HTMLRenderer.render(Self.report(scenario, Self.replications(scenario, 3)))
        #expect(page.contains("± "))
        #expect(page.contains("Pooled over 3 replications"))
    }
}

/// Sweeps with replications: Pareto points that the intervals cannot tell apart, and error bars.
@Suite struct ReplicatedSweepTests {
    /// A sweep point whose cost and p99 have the given intervals (mean ± half-width).
    private static func point(_ index: Int, cost: Double, _ costHalf: Double, p99: Double, _ p99Half: Double)
        -> SweepPoint
    {
        func interval(_ mean: Double, _ half: Double) -> JSONValue {
            ["mean": .number(mean), "stdev": .number(half), "ci95": [.number(mean - half), .number(mean + half)]]
        }
        return SweepPoint(
            json: [
                "index": JSONValue(index), "params": ["protocol.heartbeat": .string("\(10 + index)s")],
                "staleness": ["offlineDetection": ["p99": .number(p99)]],
                "cost": ["heartbeatsPerSecond": .number(cost)],
                "replications": [
                    "count": 5, "seeds": [1, 2, 3, 4, 5],
                    "metrics": [
                        "staleness.offlineDetection.p99": interval(p99, p99Half),
                        "cost.heartbeatsPerSecond": interval(cost, costHalf),
                    ],
                ],
            ])
    }

    private static func sweep(_ points: [SweepPoint]) -> SweepReport {
        SweepReport(
            scenario: ["name": "s"], scenarioName: "s", plan: [], zip: false, totalPoints: points.count, shard: nil,
            points: points, x: SweepReport.defaultX, y: SweepReport.defaultY)
    }

    @Test func dominatedPointsInsideTheNoiseAreNotDistinguishable() throws {
        let sweep = Self.sweep([
            Self.point(0, cost: 10, 1, p99: 30, 2),  // the front
            Self.point(1, cost: 10.5, 1, p99: 31, 2),  // dominated by #0, but the boxes overlap
            Self.point(2, cost: 20, 1, p99: 60, 2),  // dominated by #0 beyond the noise
            Self.point(3, cost: 5, 0.5, p99: 60, 2),  // the front
            Self.point(4, cost: 10.5, 1, p99: 40, 2),  // dominated; overlaps #0 on cost only
        ])
        #expect(sweep.paretoFront.map(\.index) == [0, 3])
        #expect(sweep.notDistinguishable == [1: 0])
        let marks = sweep.table.rows.map { $0[0] }
        #expect(marks == ["Pareto", "not distinguishable from #0", "", "Pareto", ""])
        #expect(sweep.table.rows[0].contains("10.0 ± 1.00 /s"))
        let pareto = try #require(sweep.json["pareto"])
        #expect(pareto["notDistinguishable"] == [["point": 1, "dominatedBy": 0]])
        #expect(sweep.paretoSummary.contains("Not distinguishable at 95 % from a point that dominates them"))
        let page = SweepHTMLRenderer.render(sweep)
        #expect(page.components(separatedBy: "class=\"error-bar\"").count - 1 >= 5)
        #expect(page.contains("Error bars are 95 % Student t intervals"))
        // Read back as merge does, the marks survive.
        let reread = Self.sweep(sweep.points.map { SweepPoint(json: $0.json) })
        #expect(reread.notDistinguishable == [1: 0])
    }

    @Test func sweepsWithoutReplicationsKeepTheirFormat() {
        var plain = Self.point(0, cost: 10, 1, p99: 30, 2)
        plain.replications = nil
        let sweep = Self.sweep([plain])
        #expect(sweep.json["pareto"]?["notDistinguishable"] == nil)
        #expect(!SweepHTMLRenderer.render(sweep).contains("error-bar"))
    }
}

/// Comparing reports with replications: Welch's test next to the tolerance verdict.
@Suite struct ReplicatedCompareTests {
    private static func document(heartbeats: Double, stdev: Double?) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("schema", .string(RunReport.schema)), ("complete", true), ("scenario", ["name": "x"]),
            ("cost", ["heartbeatsPerSecond": .number(heartbeats)]),
        ]
        if let stdev {
            let half = StudentT.critical(confidence: 0.95, df: 4) * stdev / 5.squareRoot()
            fields.append(
                (
                    "replications",
                    [
                        "count": 5, "seeds": [1, 2, 3, 4, 5],
                        "metrics": [
                            "cost.heartbeatsPerSecond": [
                                "mean": .number(heartbeats), "stdev": .number(stdev),
                                "ci95": [.number(heartbeats - half), .number(heartbeats + half)],
                            ]
                        ],
                    ]
                ))
        }
        return JSONValue(object: fields)
    }

    private static func compare(_ old: JSONValue, _ new: JSONValue) throws -> ReportComparison {
        try ReportComparison(baseline: old, file: "old", current: new, file: "new", tolerance: 0.05)
    }

    @Test func aChangeInsideTheNoiseIsNeverARegression() throws {
        // +10 %: beyond the 5 % tolerance, but the replications spread by 20 %.
        let noisy = try Self.compare(
            Self.document(heartbeats: 10, stdev: 2), Self.document(heartbeats: 11, stdev: 2))
        #expect(noisy.rows.map(\.verdict) == [.withinNoise])
        #expect(noisy.rows[0].welch?.significant() == false)
        #expect(noisy.exitCode == 0)
        #expect(noisy.table.header.contains("95% (Welch)"))
        #expect(noisy.table.rows[0].contains { $0.hasPrefix("not significant (p = ") })
        #expect(noisy.summary.contains("1 changed within the replications' noise"))
        #expect(noisy.json["metrics"]?.arrayValue?.first?["welch"]?["significant"] == false)
        // The same change with tight replications is a regression, and an improvement the other way.
        let tight = try Self.compare(
            Self.document(heartbeats: 10, stdev: 0.1), Self.document(heartbeats: 11, stdev: 0.1))
        #expect(tight.rows.map(\.verdict) == [.regressed] && tight.exitCode == 2)
        #expect(tight.table.rows[0].contains("significant (p < 0.001)"))
        let better = try Self.compare(
            Self.document(heartbeats: 11, stdev: 0.1), Self.document(heartbeats: 10, stdev: 0.1))
        #expect(better.exitCode == 4)
        // A significant difference within the tolerance stays within tolerance.
        let small = try Self.compare(
            Self.document(heartbeats: 10, stdev: 0.01), Self.document(heartbeats: 10.2, stdev: 0.01))
        #expect(small.rows.map(\.verdict) == [.withinTolerance] && small.rows[0].welch?.significant() == true)
    }

    @Test func withoutReplicationsOnBothSidesTheToleranceAloneDecides() throws {
        let one = try Self.compare(Self.document(heartbeats: 10, stdev: nil), Self.document(heartbeats: 11, stdev: 2))
        #expect(one.rows.map(\.verdict) == [.regressed] && one.rows[0].welch == nil)
        #expect(!one.table.header.contains("95% (Welch)"))
        #expect(!one.summary.contains("noise"))
    }
}

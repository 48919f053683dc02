import PresenceCore
import Reporting
import Scenario
import Simulation
import Testing

/// The report's `cohorts` block: each cohort's staleness, cost and fan-out, under the run's metric paths.
@Suite struct CohortReportTests {
    /// Design C, always-online desktops and phones that come and go, in rooms of 4.
    private static func scenario(phones: String) throws -> Scenario {
        try ScenarioLoader.load(
            bytes: Array(
                """
                {"name": "cohorts", "seed": 9, "duration": "40m", "warmup": "5m", "clients": 240,
                 "rooms": {"size": 4},
                 "protocol": {"design": "ttl-entries"},
                 "behavior": {"online": "never", "offline": "never",
                   "typing": {"burstsPerHour": 10, "burst": {"constant": "4s"}, "keystroke": "500ms"}},
                 "network": {"latency": {"lognormal": {"median": "40ms", "p99": "400ms"}}},
                 "cohorts": [{"name": "desktop", "share": 0.5},
                             {"name": "phones", "share": 0.5, "behavior": \(phones)}]}
                """.utf8), file: "cohorts.json")
    }

    private static func report(_ scenario: Scenario) -> RunReport {
        RunReport(
            scenario: scenario, outcome: Simulator.run(scenario, engine: .events), wallSeconds: 0, peakMemoryBytes: 0)
    }

    /// What the desktops do alone — their heartbeats, what they send, what the store shows of them — does not
    /// depend on what the other cohort does: the desktop figures of a run with coming-and-going phones equal
    /// those of the same population with always-online phones, exactly.
    @Test func aCohortsOwnFiguresEqualThoseOfTheSamePopulationAlone() throws {
        let mixed = Self.report(
            try Self.scenario(
                phones: #"{"online": {"exponential": "5m"}, "offline": {"exponential": "10m"}, "mobile": {"share": 1}}"#
            ))
        let alone = Self.report(try Self.scenario(phones: #"{"online": "never", "offline": "never"}"#))
        for path in [
            "cost.heartbeatsPerSecond", "cost.requestsPerSecond", "cost.bytesUpPerSecond",
            "staleness.store.queryAccuracy", "staleness.store.ghosts.count", "staleness.store.offlineDetection.count",
        ] {
            let key = "cohorts.desktop." + path
            #expect(mixed.metrics[key] != nil && mixed.metrics[key] == alone.metrics[key], "\(key)")
        }
        // The phones' own figures do differ.
        #expect(
            mixed.metrics["cohorts.phones.cost.heartbeatsPerSecond"]
                != alone.metrics["cohorts.phones.cost.heartbeatsPerSecond"])
    }

    /// The cohorts' counts add up to the run's; rates too, since they share the measured window.
    @Test func cohortsAddUpToTheRun() throws {
        let report = Self.report(
            try Self.scenario(phones: #"{"online": {"exponential": "5m"}, "offline": {"exponential": "10m"}}"#))
        let cohorts = report.outcome.cohorts
        #expect(cohorts.count == 2)
        let m = report.outcome.measurements
        #expect(cohorts.map(\.heartbeats).reduce(0, +) == m.heartbeats)
        #expect(cohorts.map(\.requests).reduce(0, +) == m.requests)
        #expect(cohorts.map(\.bytesUp).reduce(0, +) == m.bytesUp)
        #expect(cohorts.map(\.bytesDown).reduce(0, +) == m.bytesDown)
        #expect(
            cohorts.map(\.observers.offlineDetection.summary.count).reduce(0, +)
                == m.observers.offlineDetection.summary.count)
        // Without batching every pushed event has a subject, so the cohorts hold all of the fan-out.
        #expect(cohorts.map(\.deliveries).reduce(0, +) == m.deliveries)
        // Every store operation here is for a client: its messages, and its entries' expiries.
        #expect(m.storeOps > 0 && cohorts.map(\.storeOps).reduce(0, +) == m.storeOps)
        let total = report.metrics["cost.heartbeatsPerSecond"] ?? 0
        let parts = ["desktop", "phones"].compactMap { report.metrics["cohorts.\($0).cost.heartbeatsPerSecond"] }
        #expect(abs(parts.reduce(0, +) - total) < 1e-9 * total)
        // The JSON block carries every catalog metric per cohort, and the population the cohort sizes.
        let json = report.json
        func value(_ path: [String]) -> Double? {
            path.reduce(Optional(json)) { node, key in node?[key] }?.doubleValue
        }
        for metric in MetricCatalog.all where !metric.path.hasPrefix("staleness.expiryLag.") {
            let path = ["cohorts", "phones"] + metric.path.split(separator: ".").map(String.init)
            #expect(value(path) != nil, "\(path)")
        }
        #expect(value(["population", "cohorts", "desktop"]) == Double(report.outcome.population.cohorts[0].clients))
    }

    /// Thresholds take cohort paths, name an unknown cohort, and check the cohort's value.
    @Test func thresholdsOnCohortPaths() throws {
        var scenario = try Self.scenario(phones: #"{"mobile": {"share": 1}}"#)
        scenario.thresholds = [
            Threshold(metric: "cohorts.phones.cost.radioJoulesPerClientHour", comparison: .less, value: 1, text: "< 1")
        ]
        let report = Self.report(scenario)
        #expect(report.thresholds.count == 1 && !report.thresholds[0].passed)
        #expect(report.thresholds[0].value == report.metrics["cohorts.phones.cost.radioJoulesPerClientHour"])
        #expect((report.thresholds[0].value) > 100)

        let text = """
            {"name": "t", "duration": "10m", "clients": 10, "rooms": {"size": 2}, "protocol": {"design": "ttl-entries"},
             "cohorts": [{"name": "desktop", "share": 0.5}, {"name": "phones", "share": 0.5}],
             "thresholds": {"cohorts.phone.cost.heartbeatsPerSecond": "< 5"}}
            """
        #expect {
            try ScenarioLoader.load(bytes: Array(text.utf8), file: "t.json")
        } throws: { error in
            let message = "\(error)"
            return message.contains("thresholds[\"cohorts.phone.cost.heartbeatsPerSecond\"]")
                && message.contains("unknown cohort 'phone'") && message.contains("did you mean 'phones'?")
        }
    }

    /// `compare` compares the cohorts' metrics too, and reads them back from the report.
    @Test func compareCoversCohorts() throws {
        let scenario = try Self.scenario(
            phones: #"{"online": {"exponential": "5m"}, "offline": {"exponential": "10m"}}"#)
        let report = Self.report(scenario).json
        #expect(MetricValues(report: report)["cohorts.phones.cost.heartbeatsPerSecond"] != nil)
        let comparison = try ReportComparison(
            baseline: report, file: "a.json", current: report, file: "b.json", tolerance: 0.01)
        #expect(comparison.rows.contains { $0.metric == "cohorts.phones.staleness.offlineDetection.p99" })
    }
}

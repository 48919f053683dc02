import Testing

@testable import Scenario

@Suite struct ThresholdTests {
    private func threshold(_ metric: String, _ condition: String) throws -> Threshold? {
        try load(minimalScenario.with("thresholds", .object([(key: metric, value: .string(condition))]))).thresholds
            .first
    }

    private func expectThresholdError(
        _ metric: String, _ condition: JSONValue, _ fragment: String, hint: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        expectError(
            minimalScenario.with("thresholds", .object([(key: metric, value: condition)])),
            at: JSONPath(components: [.key("thresholds"), .key(metric)]).description, fragment, hint: hint,
            sourceLocation: sourceLocation)
    }

    @Test func secondsMetricsAcceptDurationsAndPlainSeconds() throws {
        let metric = "staleness.offlineDetection.p99"
        #expect(
            try threshold(metric, "< 90s") == Threshold(metric: metric, comparison: .less, value: 90, text: "< 90s"))
        #expect(try threshold(metric, "<=1.5m")?.value == 90)
        #expect(try threshold(metric, "< 250ms")?.value == 0.25)
        #expect(try threshold(metric, ">= 2h")?.comparison == .greaterOrEqual)
        #expect(try threshold(metric, "< 90")?.value == 90)
        #expect(try threshold(metric, "  >  0.5  ")?.value == 0.5)
        expectThresholdError(
            metric, "< 90%",
            "is measured in seconds; expected a duration like \"< 90s\" or a plain number of seconds, found \"< 90%\"")
        expectThresholdError(metric, "< 90 sec", "is measured in seconds")
    }

    @Test func ratioMetricsAcceptPercentagesAndShares() throws {
        let metric = "staleness.queryAccuracy"
        #expect(try threshold(metric, ">= 99.5%")?.value == 0.995)
        #expect(try threshold(metric, "> 0.99")?.value == 0.99)
        #expect(try threshold(metric, "> 1")?.value == 1)
        expectThresholdError(metric, "> 99.5", "is a ratio", hint: "write \"99.5%\" for a percentage")
        expectThresholdError(metric, "> 101%", "is a ratio")
        expectThresholdError(metric, "> 5s", "is a ratio")
    }

    @Test func otherUnitsTakePlainNumbers() throws {
        #expect(try threshold("cost.heartbeatsPerSecond", "< 800")?.value == 800)
        #expect(try threshold("fanout.perEvent.max", "<= 1e3")?.value == 1000)
        #expect(try threshold("staleness.ghosts.count", "<= 0")?.value == 0)
        expectThresholdError("cost.heartbeatsPerSecond", "< 800/s", "is measured in 1/s; expected a plain number")
        expectThresholdError("cost.heartbeatsPerSecond", "< 5%", "is measured in 1/s")
        expectThresholdError("cost.heartbeatsPerSecond", "< -1", "at least 0")
    }

    @Test func conditionSyntax() {
        let metric = "cost.heartbeatsPerSecond"
        expectThresholdError(metric, 800, "found the number 800", hint: "write \"< 800\"")
        expectThresholdError(metric, "800", "found \"800\"", hint: "<, <=, >, >=")
        expectThresholdError(metric, "== 800", "found \"== 800\"")
        expectThresholdError(metric, "<", "is measured in 1/s")
        expectThresholdError(metric, ["lt": 800], "found an object")
    }

    @Test func unknownMetrics() {
        let typo = expectThresholdError2("staleness.offlineDetecton.p99")
        #expect(
            typo?.message
                == "unknown metric 'staleness.offlineDetecton.p99'; did you mean 'staleness.offlineDetection.p99'?")
        #expect(typo?.hint == "`presence-sim metrics` lists every metric path")
        #expect(
            expectThresholdError2("offlineDetection.p99")?.message.contains(
                "did you mean 'staleness.offlineDetection.p99'?") == true)
        #expect(expectThresholdError2("latency")?.message == "unknown metric 'latency'")
    }

    private func expectThresholdError2(_ metric: String, sourceLocation: SourceLocation = #_sourceLocation)
        -> ScenarioError?
    {
        let found = errors(
            minimalScenario.with("thresholds", .object([(key: metric, value: .string("< 1"))])),
            sourceLocation: sourceLocation)
        #expect(found.count == 1, sourceLocation: sourceLocation)
        #expect(
            found.first?.path == JSONPath(components: [.key("thresholds"), .key(metric)]).description,
            sourceLocation: sourceLocation)
        return found.first
    }

    @Test func keepFileOrder() throws {
        let thresholds = try load(
            minimalScenario.with(
                "thresholds",
                [
                    "fanout.perEvent.max": "< 10", "cost.heartbeatsPerSecond": "< 800",
                    "staleness.queryAccuracy": "> 99%",
                ])
        ).thresholds
        #expect(
            thresholds.map(\.metric) == ["fanout.perEvent.max", "cost.heartbeatsPerSecond", "staleness.queryAccuracy"])
        #expect(Comparison.less.holds(1, 2) && !Comparison.greater.holds(1, 2) && Comparison.lessOrEqual.holds(2, 2))
    }
}

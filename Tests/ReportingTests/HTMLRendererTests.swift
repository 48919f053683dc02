import Foundation
import PresenceCore
import Scenario
import Simulation
import Testing

@testable import Reporting

/// The chart kit: ticks, escaping, determinism, empty input.
struct SVGChartTests {
    /// Ranges of every kind of axis: tiny, huge, negative, offset, single-valued.
    static let ranges: [(SVGChart.Unit, Double, Double)] = [
        (.quantity("/s"), 0, 1), (.quantity("/s"), 0, 0.037), (.quantity("/s"), 0, 9_870), (.quantity("/s"), -3.2, 41),
        (.quantity("/s"), 1_234_567, 9_876_543), (.quantity(""), 0.5, 0.5), (.count("clients"), 0, 1),
        (.count("clients"), 0, 3), (.count("clients"), 17, 17), (.count("clients"), 0, 1_850_000),
        (.count("events"), 0.5, 4.5), (.seconds, 0, 0.25), (.seconds, 0, 45), (.seconds, 0, 119), (.seconds, 360, 1800),
        (.seconds, 0, 7_199), (.seconds, 0, 86_400), (.seconds, 0, 30 * 86_400), (.seconds, 42, 42),
    ]

    @Test(arguments: 0..<ranges.count)
    func ticksAreNiceAndCoverTheRange(_ index: Int) {
        let (unit, lower, upper) = Self.ranges[index]
        let ticks = SVGChart.ticks(for: unit, covering: lower, upper)
        #expect(ticks.values.count >= 2 && ticks.values.count <= 12, "\(ticks.values)")
        #expect(ticks.labels.count == ticks.values.count)
        let step = ticks.values[1] - ticks.values[0]
        let slack = step * SVGChart.coverageSlack
        #expect(
            ticks.values.first! <= lower + slack && ticks.values.last! >= upper - slack,
            "\(ticks.values) for \(lower)...\(upper)")
        #expect(Set(ticks.labels).count == ticks.labels.count, "labels repeat: \(ticks.labels)")
        for (a, b) in zip(ticks.values, ticks.values.dropFirst()) {
            #expect(abs((b - a) - step) <= step * 1e-9, "uneven ticks \(ticks.values)")
        }
        let factors: [String: Double] = ["ms": 0.001, "min": 60, "h": 3600]
        let display = step / (factors[ticks.unit] ?? 1)
        #expect(Self.isRound(display, unit: ticks.unit), "step \(display) \(ticks.unit) is not round")
        if case .count = unit { #expect(step >= 1 && step == step.rounded()) }
        if lower < upper {
            #expect(lower - ticks.values.first! < step * (1 + 1e-9) && ticks.values.last! - upper < step * (1 + 1e-9))
        }
    }

    /// 1, 2 or 5 times a power of ten; also 15, 20, 30, 60 s or min, and 3, 6, 12, 24 h or whole days.
    static func isRound(_ step: Double, unit: String) -> Bool {
        let mantissa = step / pow(10, log10(step).rounded(.down))
        if [1.0, 2, 5].contains(where: { abs($0 - mantissa) < 1e-9 }) { return true }
        switch unit {
        case "s", "min": return [15.0, 20, 30, 60].contains(step)
        case "h": return [3.0, 6, 12, 24].contains(step) || (step / 24).rounded() == step / 24
        default: return false
        }
    }

    @Test func durationsAreLabelledInAUnitThatSuitsTheRange() {
        let minutes = SVGChart.ticks(for: .seconds, covering: 360, 1800, target: 6)
        #expect(minutes.unit == "min")
        #expect(minutes.labels == ["5", "10", "15", "20", "25", "30"])
        #expect(minutes.values == [300, 600, 900, 1200, 1500, 1800])
        #expect(SVGChart.ticks(for: .seconds, covering: 0, 45).unit == "s")
        #expect(SVGChart.ticks(for: .seconds, covering: 0, 60.03, target: 6).values.last == 60)
        #expect(SVGChart.ticks(for: .seconds, covering: 0, 0.2).labels.last == "200")
        #expect(SVGChart.ticks(for: .seconds, covering: 0, 86_400).labels == ["0", "6", "12", "18", "24"])
        #expect(
            SVGChart.ticks(for: .count("views"), covering: 0, 1_850_000).labels == [
                "0", "0.5M", "1.0M", "1.5M", "2.0M",
            ])
    }

    @Test func nineScaleSpacesTheTailEvenly() {
        #expect(SVGChart.nines(0) == 0)
        #expect(abs(SVGChart.nines(90) - 1) < 1e-12)
        #expect(abs(SVGChart.nines(99) - 2) < 1e-12)
        #expect(abs(SVGChart.nines(99.9) - 3) < 1e-9)
        #expect(SVGChart.nines(100) == 4)
    }

    @Test func escapesEveryTextItWrites() {
        #expect(
            SVGChart.escape(#"<a href="x">Tom & Jerry's</a>"#)
                == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;")
        let hostile = "<script>alert('x')</script> & co"
        let html = SVGChart.line(
            title: hostile, x: SVGChart.Axis(hostile, unit: .seconds), y: SVGChart.Axis("y", unit: .quantity(hostile)),
            series: [SVGChart.Series(hostile, points: [.init(x: 0, y: 1), .init(x: 60, y: 2)])])
        #expect(!html.contains("<script"))
        #expect(!html.contains("alert('x')"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"))
        let scatter = SVGChart.scatter(
            title: "front", x: SVGChart.Axis("p99", unit: .seconds), y: SVGChart.Axis("cost", unit: .quantity("/s")),
            points: [SVGChart.LabelledPoint(x: 1, y: 2, label: "<b>", highlighted: true)], highlightedName: "front",
            othersName: "rest")
        #expect(!scatter.contains("<b>") && scatter.contains("&lt;b&gt;"))
    }

    @Test func sameInputGivesTheSameBytes() {
        func charts() -> String {
            let series = (0..<3).map { (index: Int) -> SVGChart.Series in
                let points = (0..<50).map { (step: Int) -> SVGChart.Point in
                    SVGChart.Point(x: Double(step) * 60, y: sin(Double(step + index)) * 100 + 120)
                }
                return SVGChart.Series("series \(index)", points: points)
            }
            let time = SVGChart.Axis("time", unit: .seconds)
            let cost = SVGChart.Axis("cost", unit: .quantity("/s"))
            let runs = (0..<8).map { (run: Int) -> SVGChart.LabelledPoint in
                let x = Double(run * 7 % 5)
                return SVGChart.LabelledPoint(x: x, y: Double(run), label: "run \(run)", highlighted: run % 3 == 0)
            }
            let curve = SVGChart.Series("a", points: [.init(x: 1, y: 0), .init(x: 2, y: 90), .init(x: 9, y: 99.99)])
            let counts: [(value: Int, count: Int)] = [(3, 10), (1, 4), (7, 1)]
            return [
                SVGChart.line(title: "lines", x: time, y: cost, series: series),
                SVGChart.percentiles(title: "curves", value: time, series: [curve]),
                SVGChart.bars(
                    title: "bars", x: SVGChart.Axis("recipients", unit: .count("clients")),
                    y: SVGChart.Axis("events", unit: .count("events")), counts: counts),
                SVGChart.scatter(
                    title: "front", x: time, y: cost, points: runs, highlightedName: "Pareto front",
                    othersName: "dominated"),
            ].joined()
        }
        let first = charts()
        #expect(first == charts())
        #expect(first.components(separatedBy: "<details><summary>Data</summary><table>").count == 5)
    }

    @Test func severalSeriesGetALegendAndTooltips() {
        let html = SVGChart.line(
            title: "online", x: SVGChart.Axis("time", unit: .seconds),
            y: SVGChart.Axis("online", unit: .count("clients")),
            series: [
                SVGChart.Series("truly online", points: [.init(x: 60, y: 10), .init(x: 120, y: 12)]),
                SVGChart.Series("online in store", points: [.init(x: 60, y: 11), .init(x: 120, y: 12)]),
            ])
        #expect(html.contains("class=\"legend\""))
        #expect(html.contains("<title>2.00 min\ntruly online: 12 clients\nonline in store: 12 clients</title>"))
        #expect(html.contains("online (clients)") && html.contains("time (min)"))
        let single = SVGChart.line(
            title: "one", x: SVGChart.Axis("time", unit: .seconds), y: SVGChart.Axis("n", unit: .count("views")),
            series: [SVGChart.Series("only", points: [.init(x: 0, y: 1)])])
        #expect(!single.contains("class=\"legend\""))
    }

    @Test func emptyInputDrawsAMessageInsteadOfAChart() {
        let time = SVGChart.Axis("time", unit: .seconds)
        let charts = [
            SVGChart.line(title: "no lines", x: time, y: time, series: [], emptyMessage: "Nothing <here>."),
            SVGChart.line(title: "no points", x: time, y: time, series: [SVGChart.Series("a", points: [])]),
            SVGChart.percentiles(title: "no curves", value: time, series: []),
            SVGChart.bars(title: "no bars", x: time, y: time, counts: []),
            SVGChart.scatter(
                title: "no runs", x: time, y: time, points: [], highlightedName: "front", othersName: "rest"),
        ]
        for chart in charts {
            #expect(chart.hasPrefix("<figure class=\"chart\">") && chart.contains("</svg>"))
            #expect(!chart.contains("<table>") && !chart.contains("\"nan\"") && !chart.contains("\"inf\""))
        }
        #expect(charts[0].contains("Nothing &lt;here&gt;."))
        #expect(charts[1].contains("No data to plot."))
    }
}

/// The whole page, rendered from real runs.
struct HTMLRendererTests {
    /// A few families on design A with churn, so every chart has data; one threshold fails.
    static func familyRun() -> RunReport {
        let scenario = Scenario(
            name: "html-family", description: "Families of four <on> socket.io & redis.", seed: 11,
            duration: .minutes(20), warmup: .minutes(2), clients: 48, rooms: Rooms(size: .constant(4)),
            presence: .defaults(for: .socketioRedis),
            behavior: Behavior(
                online: .exponential(mean: .minutes(3)), offline: .exponential(mean: .minutes(2)), graceful: 0.3,
                vanish: 0.6),
            thresholds: [
                Threshold(metric: "staleness.offlineDetection.p99", comparison: .less, value: 0.001, text: "< 1ms"),
                Threshold(metric: "staleness.queryAccuracy", comparison: .greater, value: 0.5, text: "> 50%"),
            ])
        return RunReport(
            scenario: scenario, outcome: Simulator.run(scenario, engine: .events), wallSeconds: 0.25,
            peakMemoryBytes: 24_000_000)
    }

    @Test func pageHasEveryChartTheTablesAndNothingExternal() {
        let report = Self.familyRun()
        let html = HTMLRenderer.render(report)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        for title in [
            "Offline detection time (T_D): observers vs store", "Clients online: truth vs store",
            "Observer views: truly online vs shown online", "Heartbeats and deliveries per second",
            "False-offline observer views over time", "Fan-out: recipients per pushed event",
            "Fan-out by room size: deliveries per second",
        ] {
            #expect(html.contains(">\(title)</text>"), "missing chart \(title)")
        }
        #expect(html.components(separatedBy: "<details><summary>Data</summary><table>").count == 8)
        for table in report.tables { #expect(html.contains("<h3>\(SVGChart.escape(table.title))</h3>")) }
        #expect(html.range(of: "<h3>Thresholds</h3>")!.lowerBound < html.range(of: "<h3>Staleness</h3>")!.lowerBound)
        #expect(html.contains("<tr class=\"fail\"><td><span class=\"badge fail\">FAIL</span></td>"))
        #expect(html.contains("1 of 2 thresholds failed"))
        #expect(html.contains("Families of four &lt;on&gt; socket.io &amp; redis."))
        #expect(html.contains(report.fingerprint))
        #expect(html.contains("How to read this"))
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))
        #expect(!html.contains("Incomplete run"))
        #expect(!html.contains("No data to plot") && !html.contains("No departure was detected"))
    }

    @Test func sameReportGivesTheSameBytes() {
        #expect(HTMLRenderer.render(Self.familyRun()) == HTMLRenderer.render(Self.familyRun()))
    }

    @Test func emptyDataAndAStoppedRunAreShownPlainly() {
        // Polling design, nobody ever leaves, the only timeline sample would come after the end.
        let scenario = Scenario(
            name: "html-quiet", duration: .minutes(2), clients: 6, rooms: Rooms(size: .constant(3)),
            presence: .defaults(for: .httpPolling), timeline: .minutes(10))
        var outcome = Simulator.run(scenario, engine: .events)
        #expect(outcome.measurements.timeline.isEmpty)
        outcome.complete = false
        let html = HTMLRenderer.render(
            RunReport(scenario: scenario, outcome: outcome, wallSeconds: 0, peakMemoryBytes: 0))
        #expect(html.contains("Incomplete run"))
        #expect(html.contains("No thresholds"))
        #expect(html.contains("No departure was detected in the measured window."))
        #expect(html.contains("No timeline samples"))
        #expect(html.contains("observers poll in this design, so fan-out is zero"))
        #expect(!html.contains("\"nan\"") && !html.contains("\"inf\""))
    }
}

import Foundation
import Scenario
import Simulation

/// Renders a load report as one self-contained HTML page, like the run report: tables and SVG charts.
public enum LoadHTMLRenderer {
    public static func render(_ report: LoadReport) -> String {
        var html = HTMLRenderer.head(title: "presence-sim load · \(report.scenario.name)")
        html += "<header>\n<p class=\"eyebrow\">presence-sim load</p>\n"
        html += "<h1>\(SVGChart.escape(report.scenario.name))</h1>\n"
        html += "<p class=\"headline\">\(SVGChart.escape(report.headline))</p>\n</header>\n"
        if !report.complete {
            html +=
                "<div class=\"banner warn\"><strong>Stopped early.</strong> "
                + "These figures cover the part of the test that ran.</div>\n"
        }
        html += "<section>\n<h2>Charts</h2>\n" + charts(report) + "</section>\n"
        html += "<section>\n<h2>Tables</h2>\n" + report.tables.map(HTMLRenderer.table).joined() + "</section>\n"
        html += "<section>\n<h2>How to read this</h2>\n<p>\(SVGChart.escape(howToRead(report)))</p>\n</section>\n"
        return html + "</main>\n</body>\n</html>\n"
    }

    static let howToRead = """
        Offered operations are the ones the behaviour model made due in a stretch of simulated time; achieved \
        ones are those the presence core finished in the matching stretch of wall-clock time. Latency is one \
        call to a core shard, from the call to its return, so it includes waiting for the shard actor. Lag \
        is how late an event fired against the wall-clock instant its simulated time maps to. Entries that \
        lapsed because a refresh waited in the tester are counted apart from those the model let lapse. \
        Core busy is the share of wall-clock time the shards spent handling inputs: when a ramp stops while \
        the core is far from busy, the limit was the tester (the client models and their scheduling, on \
        the same cores), not the core, and the core's time per input gives its own ceiling per shard. A \
        load test runs in real time on every core, so its figures vary from run to run and machine to \
        machine; staleness, cost and fan-out come from `presence-sim run`, which is deterministic.
        """

    /// ``howToRead``, and for a `--target` test what its latency and memory figures are.
    static func howToRead(_ report: LoadReport) -> String {
        guard report.target != nil else { return howToRead }
        return howToRead + " " + targetNote
    }

    static let targetNote = """
        This test also drove a Redis server: after a shard handled an operation, the commands the design's seed \
        issues for it were sent to Redis, pipelined, and the operation's latency is their round trips (an \
        operation that sends nothing to Redis, such as design A's typing relay, is the shard call alone). A \
        failed command fails its operation, which is then not achieved, and is counted by the first word of \
        the error. used_memory is read from INFO memory before the test and after it, before its keys were \
        deleted; per client it is the difference over the scenario's clients.
        """

    private static func charts(_ report: LoadReport) -> String {
        let operations = SVGChart.Axis("operations", unit: .quantity("/s"))
        let lag = SVGChart.Axis("lag p99", unit: .seconds)
        func label(_ run: LoadRun) -> String { "\(run.outcome.shards) shard\(run.outcome.shards == 1 ? "" : "s")" }
        func rate(_ count: Int, _ step: LoadTest.MeasuredStep) -> Double {
            step.wallSeconds > 0 ? Double(count) / step.wallSeconds : 0
        }
        if report.isRamp {
            let offered = SVGChart.Axis("offered operations", unit: .quantity("/s"))
            return SVGChart.line(
                title: "Achieved against offered operations per second", x: offered, y: operations,
                series: report.runs.map { run in
                    SVGChart.Series(
                        label(run),
                        points: run.outcome.steps.map {
                            SVGChart.Point(x: rate($0.offeredTotal, $0), y: rate($0.achievedTotal, $0))
                        })
                })
                + SVGChart.line(
                    title: "Core busy share against offered operations per second", x: offered,
                    y: SVGChart.Axis("core busy", unit: .quantity("share")),
                    series: report.runs.map { run in
                        SVGChart.Series(
                            label(run),
                            points: run.outcome.steps.map {
                                SVGChart.Point(
                                    x: rate($0.offeredTotal, $0), y: $0.coreBusyShare(shards: run.outcome.shards))
                            })
                    })
                + SVGChart.line(
                    title: "Scheduling lag p99 against offered operations per second", x: offered, y: lag,
                    series: report.runs.map { run in
                        SVGChart.Series(
                            label(run),
                            points: run.outcome.steps.map {
                                SVGChart.Point(x: rate($0.offeredTotal, $0), y: $0.lag.p99)
                            })
                    })
        }
        let wall = SVGChart.Axis("wall-clock time", unit: .seconds)
        var html = ""
        for run in report.runs {
            var elapsed = 0.0
            var offered: [SVGChart.Point] = []
            var achieved: [SVGChart.Point] = []
            var lags: [SVGChart.Point] = []
            for step in run.outcome.steps {
                elapsed += step.wallSeconds
                offered.append(SVGChart.Point(x: elapsed, y: rate(step.offeredTotal, step)))
                achieved.append(SVGChart.Point(x: elapsed, y: rate(step.achievedTotal, step)))
                lags.append(SVGChart.Point(x: elapsed, y: step.lag.p99))
            }
            html += SVGChart.line(
                title: "Operations per second · \(label(run))", x: wall, y: operations,
                series: [SVGChart.Series("offered", points: offered), SVGChart.Series("achieved", points: achieved)])
            html += SVGChart.line(
                title: "Scheduling lag p99 · \(label(run))", x: wall, y: lag,
                series: [SVGChart.Series("lag p99", points: lags)])
        }
        return html
    }
}

extension MarkdownRenderer {
    public static func render(_ report: LoadReport) -> String {
        var text = "# presence-sim load: \(report.scenario.name)\n\n\(report.headline)\n\n"
        text += report.tables.map(render).joined(separator: "\n")
        return text + "\n" + LoadHTMLRenderer.howToRead(report) + "\n"
    }
}

extension ReportWriter {
    /// Writes load.json, load.md and load.html into `directory`, as one set; returns their paths.
    public static func write(_ report: LoadReport, to directory: String) throws -> [String] {
        var json: [UInt8] = []
        report.json.write(to: &json)
        json.append(UInt8(ascii: "\n"))
        return try write(
            [
                ("load.json", json), ("load.md", Array(MarkdownRenderer.render(report).utf8)),
                ("load.html", Array(LoadHTMLRenderer.render(report).utf8)),
            ], in: directory)
    }
}

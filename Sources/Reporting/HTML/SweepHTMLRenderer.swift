import PresenceCore
import Scenario

/// Renders a sweep as one self-contained HTML page: the Pareto chart, a small chart per metric against
/// the swept value, and the table of all points.
public enum SweepHTMLRenderer {
    public static func render(_ sweep: SweepReport) -> String {
        var html = HTMLRenderer.head(title: "presence-sim sweep · \(sweep.scenarioName)")
        html +=
            "<style>.multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); "
            + "gap: 16px; }</style>\n"
        html += "<header>\n<p class=\"eyebrow\">presence-sim sweep</p>\n"
        html += "<h1>\(SVGChart.escape(sweep.scenarioName))</h1>\n"
        html += "<p class=\"headline\">\(sweep.points.count) of \(sweep.totalPoints) points"
        if let parameters = sweep.points.first?.overrides.map(\.path), !parameters.isEmpty {
            html += " · " + SVGChart.escape(parameters.joined(separator: sweep.zip ? " with " : " × "))
        }
        html += "</p>\n</header>\n"
        if !sweep.complete {
            html +=
                "<div class=\"banner warn\"><strong>Partial sweep.</strong> This is one shard; "
                + "join the shards with <code>presence-sim merge</code>.</div>\n"
        }
        html += "<section>\n<h2>Staleness against cost</h2>\n"
        html += "<p class=\"lead\">\(SVGChart.escape(sweep.paretoSummary))</p>\n"
        let front = Set(sweep.paretoFront.map(\.index))
        html += SVGChart.scatter(
            title: "Pareto front: \(sweep.y) against \(sweep.x)", x: axis(sweep.x), y: axis(sweep.y),
            points: sweep.points.compactMap { point in
                guard let x = point.metrics[sweep.x], let y = point.metrics[sweep.y] else { return nil }
                return SVGChart.LabelledPoint(
                    x: x, y: y, label: point.label.isEmpty ? "#\(point.index)" : point.label,
                    highlighted: front.contains(point.index), xRange: range(point.interval(sweep.x)),
                    yRange: range(point.interval(sweep.y)))
            }, highlightedName: "Pareto-optimal", othersName: "dominated")
        if sweep.hasReplications {
            html +=
                "<p class=\"lead\">Error bars are 95 % Student t intervals across each point's replications. "
                + "A dominated point is not distinguishable from a point dominating it when their intervals "
                + "overlap on both axes: the table marks those.</p>\n"
        }
        html += "</section>\n"
        html += smallMultiples(sweep)
        html += "<section>\n<h2>All points</h2>\n" + HTMLRenderer.table(sweep.table) + "</section>\n"
        return html + "</main>\n</body>\n</html>\n"
    }

    /// One chart per metric against the first swept parameter, a line per combination of the others.
    private static func smallMultiples(_ sweep: SweepReport) -> String {
        guard let first = sweep.points.first?.overrides.first else { return "" }
        // A merged sweep.json may come from anywhere: a point without the first parameter gets no x.
        let xs = sweep.points.map { point in
            point.overrides.first.flatMap { $0.path == first.path ? numeric($0.value) : nil }
        }
        guard xs.allSatisfy({ $0 != nil }) else {
            return "<section>\n<h2>Each metric against \(SVGChart.escape(first.path))</h2>\n"
                + "<p class=\"lead\">\(SVGChart.escape(first.path)) is not a number or a duration: see the table.</p>\n"
                + "</section>\n"
        }
        let isDuration = Interval(parsing: first.value.stringValue ?? "") != nil
        let xAxis = SVGChart.Axis(first.path, unit: isDuration ? .seconds : .quantity(""))
        var html = "<section>\n<h2>Each metric against \(SVGChart.escape(first.path))</h2>\n<div class=\"multiples\">\n"
        var metrics = [sweep.x, sweep.y]
        for metric in SweepReport.tableMetrics where !metrics.contains(metric) { metrics.append(metric) }
        for metric in metrics {
            var series: [String: [SVGChart.Point]] = [:]
            var order: [String] = []
            for (point, x) in zip(sweep.points, xs) {
                guard let value = point.metrics[metric] else { continue }
                let rest = SweepSchema.label(JSONValue(object: point.overrides.dropFirst().map { ($0.path, $0.value) }))
                let name = rest.isEmpty ? metric : rest
                if series[name] == nil { order.append(name) }
                series[name, default: []].append(
                    SVGChart.Point(x: x!, y: value, yRange: range(point.interval(metric))))
            }
            html += SVGChart.line(
                title: metric, x: xAxis, y: axis(metric),
                series: order.map { SVGChart.Series($0, points: series[$0]!.sorted { $0.x < $1.x }) })
        }
        return html + "</div>\n</section>\n"
    }

    private static func range(_ interval: SampleInterval?) -> ClosedRange<Double>? {
        interval.flatMap { $0.low <= $0.high ? $0.low...$0.high : nil }
    }

    private static func numeric(_ value: JSONValue) -> Double? {
        if let number = value.doubleValue { return number }
        return value.stringValue.flatMap { Interval(parsing: $0)?.seconds }
    }

    /// A chart axis for a metric, in its unit.
    static func axis(_ path: String) -> SVGChart.Axis {
        let unit: SVGChart.Unit
        switch MetricCatalog.metric(at: path)?.unit {
        case .seconds: unit = .seconds
        case .ratio: unit = .quantity("share")
        case .perSecond: unit = .quantity("/s")
        case .perClientHour: unit = .quantity("/client-h")
        case .count: unit = .count("")
        case .joulesPerClientHour: unit = .quantity("J/client-h")
        case .bytesPerSecond: unit = .quantity("B/s")
        case .recipients, nil: unit = .quantity("recipients")
        }
        return SVGChart.Axis(path, unit: unit)
    }
}

import PresenceCore
import Scenario
import Simulation

/// Renders a run's report as one self-contained HTML page: inline CSS and SVG, no scripts, nothing
/// fetched from the network, so the file can be mailed, archived or opened offline.
///
/// The page MUST be the same bytes for the same report; only the footer's wall-clock figures differ
/// between identical runs.
public enum HTMLRenderer {
    /// The whole page for `report`.
    public static func render(_ report: RunReport) -> String {
        var html = head(title: "presence-sim · \(report.scenario.name)")
        html += header(report)
        html += banners(report)
        html += keyFigures(report)
        html += "<section>\n<h2>Summary</h2>\n"
        html += report.tables.map(table).joined()
        html += "</section>\n"
        html += charts(report)
        html += howToRead
        html += footer(report)
        return html + "</main>\n</body>\n</html>\n"
    }

    private static func escape(_ text: String) -> String { SVGChart.escape(text) }

    // MARK: Page sections

    /// The document head with the stylesheets, and the opening of the page.
    static func head(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="presence-sim">
        <title>\(escape(title))</title>
        <style>
        \(stylesheet)
        \(SVGChart.stylesheet)
        </style>
        </head>
        <body>
        <main>

        """
    }

    private static func header(_ report: RunReport) -> String {
        let scenario = report.scenario
        let presence = scenario.presence
        var settings = [
            "design \(presence.design.rawValue)", "heartbeat \(presence.heartbeat)", "TTL \(presence.ttl)",
            "expiry \(describe(presence.expiry))", "delivery \(describe(presence.delivery))",
            "seed \(scenario.seed)",
        ]
        if presence.leaveGrace > .zero { settings.append("leave grace \(presence.leaveGrace)") }
        if presence.batch > .zero { settings.append("batch \(presence.batch)") }
        if !scenario.faults.isEmpty {
            settings.append(scenario.faults.count == 1 ? "1 fault" : "\(scenario.faults.count) faults")
        }
        var html = "<header>\n<p class=\"eyebrow\">presence-sim report</p>\n"
        html += "<h1>\(escape(scenario.name))</h1>\n"
        html += "<p class=\"headline\">\(escape(report.headline))</p>\n"
        if let description = scenario.description, !description.isEmpty {
            html += "<p class=\"description\">\(escape(description))</p>\n"
        }
        html += "<ul class=\"settings\">" + settings.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        return html + "</header>\n"
    }

    private static func describe(_ expiry: Expiry) -> String {
        switch expiry {
        case .exact: "exact"
        case .sweep(let interval): "sweep every \(interval)"
        case .off: "off"
        case .redis(let redis): "redis (hz \(redis.hz), effort \(redis.effort))"
        }
    }

    private static func describe(_ delivery: Delivery) -> String {
        switch delivery {
        case .push: "push"
        case .poll(let interval): "poll every \(interval)"
        }
    }

    /// The incomplete-run warning (when stopped early) and the threshold verdict.
    private static func banners(_ report: RunReport) -> String {
        var html = ""
        if let replications = report.replications, report.stoppedBetweenReplications {
            html += banner(
                "warn", "Incomplete set of replications",
                "Stopped after \(replications.description) finished. The figures pool only those.")
        } else if !report.outcome.complete {
            let end = report.scenario.duration.seconds
            html += banner(
                "warn", "Incomplete run",
                "Stopped at \(Format.seconds(report.outcome.simulated.seconds)) of \(Format.seconds(end)) simulated. "
                    + "Every figure covers only the part that ran.")
        }
        if let note = report.replicationNote { html += banner("neutral", "Replications", note) }
        let failed = report.thresholds.filter { !$0.passed }
        if report.thresholds.isEmpty {
            html += banner("neutral", "No thresholds", "This scenario sets no pass/fail thresholds.")
        } else if failed.isEmpty {
            let count = report.thresholds.count
            html += banner("pass", count == 1 ? "Threshold passed" : "All \(count) thresholds passed", "")
        } else {
            let names = failed.map { "\($0.threshold.metric) \($0.threshold.text)" }.joined(separator: "; ")
            html += banner("fail", "\(failed.count) of \(report.thresholds.count) thresholds failed", names)
        }
        return html
    }

    private static func banner(_ kind: String, _ title: String, _ detail: String) -> String {
        let detail = detail.isEmpty ? "" : " <span>\(escape(detail))</span>"
        return "<p class=\"banner \(kind)\" role=\"status\"><strong>\(escape(title))</strong>\(detail)</p>\n"
    }

    /// The handful of figures most readers look for first, as cards.
    private static func keyFigures(_ report: RunReport) -> String {
        let failing = Set(report.thresholds.filter { !$0.passed }.map(\.threshold.metric))
        let figures: [(label: String, path: String, note: String)] = [
            ("offline detection p99", "staleness.offlineDetection.p99", "observers, T_D"),
            ("ghosts", "staleness.ghosts.count", "departures never shown offline"),
            ("false offline", "staleness.falseOffline.perClientHour", "per client-hour online"),
            ("query accuracy", "staleness.queryAccuracy", "observers, P_A"),
            ("heartbeats", "cost.heartbeatsPerClientHour", "per client-hour online"),
            ("deliveries", "fanout.deliveriesPerSecond", "pushed per second"),
        ]
        var html = "<section class=\"figures\" aria-label=\"Key figures\">\n"
        for figure in figures {
            let text =
                report.metrics[figure.path].map {
                    Format.metric(figure.path, $0, interval: report.replications?.intervals[figure.path])
                } ?? "–"
            // "2.90 ± 0.516 /client-h": the value large, the interval's half-width small beside it.
            var value = escape(text)
            if let split = text.range(of: " ± ") {
                value =
                    escape(String(text[..<split.lowerBound]))
                    + " <small>± \(escape(String(text[split.upperBound...])))</small>"
            }
            if figure.path == "staleness.offlineDetection.p99"
                && (report.metrics["staleness.offlineDetection.count"] ?? 0) == 0
            {
                value = "none"
            }
            html += "<div class=\"figure\(failing.contains(figure.path) ? " failed" : "")\">"
            html += "<span class=\"label\">\(escape(figure.label))</span>"
            html += "<span class=\"value\">\(value)</span>"
            html += "<span class=\"note\">\(escape(figure.note))</span></div>\n"
        }
        return html + "</section>\n"
    }

    /// One summary table; failed threshold rows are highlighted and pass/FAIL cells drawn as badges.
    static func table(_ table: ReportTable) -> String {
        var html = "<div class=\"table\">\n<h3>\(escape(table.title))</h3>\n<div class=\"scroll\"><table>\n"
        if table.header.contains(where: { !$0.isEmpty }) {
            html += "<thead><tr>" + table.header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead>\n"
        }
        html += "<tbody>\n"
        if table.rows.isEmpty {
            html += "<tr><td class=\"none\" colspan=\"\(max(1, table.header.count))\">Nothing recorded.</td></tr>\n"
        }
        for (index, row) in table.rows.enumerated() {
            html += table.failedRows.contains(index) ? "<tr class=\"fail\">" : "<tr>"
            for (column, cell) in row.enumerated() {
                if column == 0 && (cell == "pass" || cell == "FAIL") {
                    html += "<td><span class=\"badge \(cell == "pass" ? "pass" : "fail")\">\(cell)</span></td>"
                } else {
                    html += column == 0 ? "<th scope=\"row\">\(escape(cell))</th>" : "<td>\(segments(cell))</td>"
                }
            }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table></div>\n</div>\n"
    }

    /// A cell's text with each " · "-separated part kept on one line ("p99 44.0 s" never splits).
    private static func segments(_ cell: String) -> String {
        guard cell.contains(" · ") else { return escape(cell) }
        return cell.components(separatedBy: " · ").map { "<span class=\"part\">\(escape($0))</span>" }
            .joined(separator: " · ")
    }

    // MARK: Charts

    private static func charts(_ report: RunReport) -> String {
        let measurements = report.outcome.measurements
        let timeline = measurements.timeline
        let time = SVGChart.Axis("simulated time", unit: .seconds)
        let noTimeline = "No timeline samples: the run ended before the first sample after warm-up."
        func series(_ name: String, _ value: (TimelinePoint) -> Double) -> SVGChart.Series {
            SVGChart.Series(name, points: timeline.map { SVGChart.Point(x: $0.at.seconds, y: value($0)) })
        }
        func curve(_ name: String, _ histogram: DurationHistogram) -> SVGChart.Series {
            SVGChart.Series(
                name, points: histogram.percentileCurve().map { SVGChart.Point(x: $0.seconds, y: $0.percentile) })
        }
        let detections = [
            curve("observers", measurements.observers.offlineDetection),
            curve("store read", measurements.store.offlineDetection),
            curve("store key", measurements.storeKey.offlineDetection),
        ]
        var noFanout = "No event was pushed in the measured window."
        if case .poll = report.scenario.presence.delivery {
            noFanout = "No event was pushed: observers poll in this design, so fan-out is zero."
        }

        var html = "<section>\n<h2>Charts</h2>\n"
        html += note(
            "How long each departure took to show as offline, by percentile. The y axis spreads the tail: "
                + "each step up is ten times rarer (p90, p99, p99.9).")
        html += SVGChart.percentiles(
            title: "Offline detection time (T_D): observers vs store",
            value: SVGChart.Axis("detection time", unit: .seconds),
            series: detections,
            emptyMessage: "No departure was detected in the measured window.")
        var online = [
            series("truly online", { Double($0.online) }), series("online in store", { Double($0.storeOnline) }),
        ]
        var onlineNote = "Clients truly online against clients whose entry the store holds as online."
        if let expected = report.scenario.expectedOnline {
            online.append(series("expected by the profile", { expected($0.at - Instant.zero) }))
            onlineNote += " The profile's curve is the expected share of clients online, times the clients."
        }
        html += note(onlineNote)
        html += SVGChart.line(
            title: "Clients online: truth vs store", x: time, y: SVGChart.Axis("online", unit: .count("clients")),
            series: online, emptyMessage: noTimeline)
        html += note(
            "Observer views are (observer, subject) pairs in a shared room: views whose subject is truly online "
                + "against views that show it online. A gap above the truth is ghosts; below it, false offline.")
        html += SVGChart.line(
            title: "Observer views: truly online vs shown online", x: time,
            y: SVGChart.Axis("online subjects", unit: .count("observer views")),
            series: [
                series("subject truly online", { Double($0.trulyOnlineViews) }),
                series("shown online", { Double($0.shownOnlineViews) }),
            ],
            emptyMessage: noTimeline)
        html += note("Heartbeats clients sent and deliveries the server pushed, per second over each timeline step.")
        html += SVGChart.line(
            title: "Heartbeats and deliveries per second", x: time,
            y: SVGChart.Axis("messages", unit: .quantity("per second")),
            series: [series("heartbeats", \.heartbeatsPerSecond), series("deliveries", \.deliveriesPerSecond)],
            emptyMessage: noTimeline)
        html += note("Observer views showing their subject offline while it is truly online, at each sample.")
        html += SVGChart.line(
            title: "False-offline observer views over time", x: time,
            y: SVGChart.Axis("false offline", unit: .count("observer views")),
            series: [series("shown offline while online", { Double($0.falseOfflineViews) })],
            emptyMessage: noTimeline)
        html += note("How many clients each pushed event reached.")
        html += SVGChart.bars(
            title: "Fan-out: recipients per pushed event",
            x: SVGChart.Axis("recipients per event", unit: .count("clients")),
            y: SVGChart.Axis("pushed events", unit: .count("events")),
            counts: measurements.recipientsPerEvent.buckets.map { (value: $0.value, count: $0.events) },
            emptyMessage: noFanout)
        html += note(
            "Where the fan-out goes: deliveries per second to rooms of each size. A few large rooms can carry "
                + "most of it even when most rooms are small.")
        for (kind, buckets) in [("room", measurements.fanoutByRoomSize), ("thread", measurements.fanoutByThreadSize)]
        where kind == "room" || !buckets.isEmpty {
            html += SVGChart.categoryBars(
                title: "Fan-out by \(kind) size: deliveries per second", x: "\(kind) size",
                y: SVGChart.Axis("deliveries", unit: .quantity("per second")),
                bars: buckets.map {
                    (label: $0.sizeLabel, value: Double($0.deliveries) / max(measurements.measuredSeconds, 1e-9))
                },
                emptyMessage: noFanout)
        }
        return html + "</section>\n"
    }

    private static func note(_ text: String) -> String { "<p class=\"chart-note\">\(escape(text))</p>\n" }

    // MARK: Explanations and footer

    private static let howToRead = """
        <section class="explain">
        <h2>How to read this</h2>
        <p>Staleness follows Chen, Toueg &amp; Aguilera, “On the quality of service of failure detectors” \
        (2002): each observer trusts (shows online) or suspects (shows offline) each subject in its room; \
        the store is scored the same way.</p>
        <dl>
        <dt>Offline detection T<sub>D</sub></dt>
        <dd>Time from a client truly leaving until a viewer shows it offline; lower is fresher.</dd>
        <dt>Ghosts</dt>
        <dd>Departures a viewer never showed as offline before the client came back or the run ended.</dd>
        <dt>False offline and flaps</dt>
        <dd>A false offline is a client shown offline while truly online (a mistake, T<sub>M</sub> its \
        duration); a flap is one that ends by turning back to online.</dd>
        <dt>Query accuracy P<sub>A</sub></dt>
        <dd>The share of observed time in which a view matched the truth: the chance a glance is right.</dd>
        <dt>Online propagation</dt>
        <dd>Time from a client coming online until an observer shows it online.</dd>
        </dl>
        </section>

        """

    private static func footer(_ report: RunReport) -> String {
        let outcome = report.outcome
        let rate = report.wallSeconds > 0 ? Double(outcome.events) / report.wallSeconds : 0
        let items = [
            ("fingerprint", "<code>\(escape(report.fingerprint))</code>"),
            ("engine", escape(outcome.engine.rawValue)),
            ("events", escape(Format.grouped(outcome.events))),
            ("simulated", escape(Format.seconds(outcome.simulated.seconds))),
            ("wall time", escape("\(Format.seconds(report.wallSeconds)) (\(Format.number(rate)) events/s)")),
            ("peak memory", escape(Format.number(Double(report.peakMemoryBytes) / 1e6) + " MB")),
        ]
        var html = "<footer>\n<dl>\n"
        for (term, value) in items { html += "<div><dt>\(term)</dt><dd>\(value)</dd></div>\n" }
        html += "</dl>\n<p>The fingerprint hashes the deterministic results: the same scenario and seed give the "
        html += "same fingerprint on either engine. Wall time and memory vary between runs.</p>\n</footer>\n"
        return html
    }

    /// The page's own CSS: a calm single column that reflows down to phone widths.
    static let stylesheet = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #f5f7fa; color: #1f2933;
          font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
        main { max-width: 1040px; margin: 0 auto; padding: 32px 24px 48px; }
        h1 { font-size: 28px; line-height: 1.2; margin: 0 0 6px; letter-spacing: -0.01em; }
        h2 { font-size: 20px; margin: 40px 0 12px; padding-top: 8px; border-top: 1px solid #e4e7eb; }
        h3 { font-size: 15px; margin: 0 0 8px; }
        .eyebrow { margin: 0 0 4px; color: #616e7c; font-size: 13px; text-transform: uppercase;
          letter-spacing: 0.06em; }
        .headline { margin: 0 0 8px; color: #3e4c59; }
        .description { margin: 0 0 12px; color: #52606d; max-width: 70ch; }
        .settings { display: flex; flex-wrap: wrap; gap: 6px; list-style: none; padding: 0; margin: 12px 0 0; }
        .settings li { background: #e4e7eb; color: #323f4b; border-radius: 999px; padding: 1px 10px;
          font-size: 13px; }
        .banner { margin: 20px 0 0; padding: 12px 16px; border-radius: 8px; border-left: 4px solid; }
        .banner span { display: block; font-size: 14px; overflow-wrap: anywhere; }
        .banner.pass { background: #e3f9e5; border-color: #31b237; color: #05400a; }
        .banner.fail { background: #ffe3e3; border-color: #d64545; color: #610404; }
        .banner.warn { background: #fff3c4; border-color: #e9b949; color: #5c4813; }
        .banner.neutral { background: #e4e7eb; border-color: #9aa5b1; color: #323f4b; }
        .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 240px), 1fr)); gap: 12px;
          margin: 20px 0 0; }
        .figure { background: #fff; border: 1px solid #e4e7eb; border-radius: 8px; padding: 10px 12px;
          display: flex; flex-direction: column; }
        .figure.failed { border-color: #d64545; box-shadow: inset 3px 0 0 #d64545; }
        .figure .label { font-size: 13px; color: #52606d; }
        .figure .value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
        .figure .note { font-size: 12px; color: #7b8794; }
        .figure .value small { font-size: 14px; font-weight: 500; color: #52606d; }
        .table { background: #fff; border: 1px solid #e4e7eb; border-radius: 8px; padding: 14px 16px;
          margin: 0 0 16px; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; font-size: 14px; font-variant-numeric: tabular-nums; }
        th, td { text-align: left; padding: 5px 12px 5px 0; vertical-align: top; }
        thead th { color: #52606d; font-weight: 600; font-size: 13px; border-bottom: 1px solid #cbd2d9; }
        tbody tr + tr > * { border-top: 1px solid #f0f2f5; }
        tbody th { font-weight: 500; color: #323f4b; white-space: nowrap; }
        tr.fail > * { background: #fff5f5; color: #8a1c1c; }
        .part { white-space: nowrap; }
        sub { line-height: 0; }
        td.none { color: #7b8794; font-style: italic; }
        .badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 600; }
        .badge.pass { background: #e3f9e5; color: #0e5814; }
        .badge.fail { background: #d64545; color: #fff; }
        .chart-note { margin: 24px 0 4px; color: #52606d; font-size: 14px; max-width: 75ch; }
        .chart { background: #fff; border: 1px solid #e4e7eb; border-radius: 8px; padding: 12px 12px 8px; }
        .explain dl { margin: 0; }
        .explain dt { font-weight: 600; margin-top: 10px; }
        .explain dd { margin: 2px 0 0; color: #3e4c59; max-width: 75ch; }
        footer { margin-top: 40px; padding-top: 16px; border-top: 1px solid #e4e7eb; color: #52606d;
          font-size: 13px; }
        footer dl { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0 0 8px; }
        footer dt { font-size: 12px; color: #7b8794; }
        footer dd { margin: 0; color: #323f4b; }
        code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
        @media (max-width: 640px) {
          main { padding: 20px 12px 32px; }
          h1 { font-size: 22px; }
          .chart { padding: 6px; }
        }
        """
}

extension Scenario {
    /// The clients a `behavior.profile` expects online at a time (each cohort with its own profile, for
    /// its share), or nil when no behaviour has a profile. A cohort without one counts as always online at
    /// its long-run share, which the reader does not know, so then there is no curve either.
    var expectedOnline: ((Interval) -> Double)? {
        let parts: [(share: Double, profile: Profile?)] =
            cohorts.isEmpty ? [(1, behavior.profile)] : cohorts.map { ($0.share, $0.behavior.profile) }
        guard parts.allSatisfy({ $0.profile != nil }) else { return nil }
        let clients = Double(clients)
        return { time in parts.reduce(0) { $0 + $1.share * ($1.profile?.share(at: time) ?? 0) } * clients }
    }
}

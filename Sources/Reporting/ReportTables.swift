import Foundation
import PresenceCore
import Scenario
import Simulation

/// A titled table of text cells: the one layout the terminal summary, the Markdown report and the
/// HTML report's data tables all render.
public struct ReportTable: Sendable {
    public var title: String
    public var header: [String]
    public var rows: [[String]]
    /// Rows (by index) that failed a threshold, for highlighting.
    public var failedRows: Set<Int> = []

    public init(title: String, header: [String], rows: [[String]], failedRows: Set<Int> = []) {
        self.title = title
        self.header = header
        self.rows = rows
        self.failedRows = failedRows
    }
}

extension RunReport {
    /// One line saying what ran.
    public var headline: String {
        let design = scenario.presence.design.rawValue
        let warmup = scenario.warmup > .zero ? " (\(scenario.warmup) warm-up)" : ""
        var parts = [
            scenario.name, design, "\(Format.grouped(scenario.clients)) clients",
            "\(scenario.duration) simulated\(warmup)", "\(outcome.engine) engine",
        ]
        if let replications { parts.append(replications.description) }
        if let stopped = stoppedNote { parts.append("STOPPED " + stopped) }
        return parts.joined(separator: " · ")
    }

    /// What the figures of a report with replications are, for the Markdown and HTML pages.
    public var replicationNote: String? {
        guard let replications else { return nil }
        let seeds = replications.seeds.map(String.init).joined(separator: ", ")
        guard replications.count >= 2 else {
            return "Pooled over \(replications.description) (seed \(seeds)): intervals need two."
        }
        return "Pooled over \(replications.description) (seeds \(seeds)); ± is the half-width of the 95 % "
            + "Student t interval of the replications' values."
    }

    /// Where an incomplete run stopped: "at 12.0 min", or "after 3 of 5 replications"; nil when complete.
    public var stoppedNote: String? {
        guard !outcome.complete else { return nil }
        if let replications, stoppedBetweenReplications { return "after \(replications.description)" }
        return "at \(Format.seconds(outcome.simulated.seconds))"
    }

    /// Whether the run was stopped with some replications finished: the report pools those, each whole.
    public var stoppedBetweenReplications: Bool {
        !outcome.complete && replications != nil && outcome.simulated >= .zero + scenario.duration
    }

    /// The summary tables, thresholds first.
    public var tables: [ReportTable] {
        var tables: [ReportTable] = []
        if !thresholds.isEmpty {
            let ordered = thresholds.filter { !$0.passed } + thresholds.filter(\.passed)
            var table = ReportTable(title: "Thresholds", header: ["", "metric", "condition", "value"], rows: [])
            for (index, result) in ordered.enumerated() {
                table.rows.append([
                    result.passed ? "pass" : "FAIL", result.threshold.metric, result.threshold.text,
                    value(result.threshold.metric),
                ])
                if !result.passed { table.failedRows.insert(index) }
            }
            tables.append(table)
        }
        tables.append(stalenessTable)
        tables.append(causeTable)
        tables.append(costTable)
        tables.append(fanoutTable)
        tables.append(Self.fanoutTable(by: "room", outcome.measurements.fanoutByRoomSize, outcome.measurements))
        if !outcome.measurements.fanoutByThreadSize.isEmpty {
            tables.append(Self.fanoutTable(by: "thread", outcome.measurements.fanoutByThreadSize, outcome.measurements))
        }
        tables.append(populationTable)
        if !scenario.cohorts.isEmpty { tables.append(cohortTable) }
        return tables
    }

    /// A metric's pooled value, with the half-width of its 95% interval across replications when there is
    /// one: "20.1 s ± 0.35 s".
    private func value(_ path: String) -> String {
        guard let value = metrics[path] else { return "–" }
        return Format.metric(path, value, interval: replications?.intervals[path])
    }

    private func distribution(_ path: String) -> String {
        guard let count = metrics[path + ".count"], count > 0 else { return "none" }
        return ["p50", "p90", "p99", "max"].map { "\($0) \(value(path + "." + $0))" }.joined(separator: " · ")
    }

    private var stalenessTable: ReportTable {
        var rows: [[String]] = []
        func both(_ label: String, _ suffix: String, distribution isDistribution: Bool = false) {
            let observers = isDistribution ? distribution("staleness." + suffix) : value("staleness." + suffix)
            let store = isDistribution ? distribution("staleness.store." + suffix) : value("staleness.store." + suffix)
            let key =
                isDistribution ? distribution("staleness.store.key." + suffix) : value("staleness.store.key." + suffix)
            rows.append([label, observers, store, key])
        }
        both("offline detection", "offlineDetection", distribution: true)
        rows.append([
            "ghosts (never shown offline)", ghosts("staleness"), ghosts("staleness.store"),
            ghosts("staleness.store.key"),
        ])
        both("false offline per client-hour", "falseOffline.perClientHour")
        both("false offline duration", "falseOffline.duration", distribution: true)
        both("flaps per client-hour", "falseOffline.flapsPerClientHour")
        both("query accuracy", "queryAccuracy")
        rows.append(["online propagation", distribution("staleness.onlinePropagation"), "", ""])
        rows.append(["typing propagation", distribution("staleness.typingPropagation"), "", ""])
        rows.append(["ghost typing", distribution("staleness.ghostTyping"), "", ""])
        rows.append(["last-seen error", "", distribution("staleness.lastSeenError"), ""])
        if metrics["staleness.expiryLag.count"] != nil {
            rows.append(["expiry lag (expiry → deletion)", "", "", distribution("staleness.expiryLag")])
        }
        return ReportTable(title: "Staleness", header: ["", "observers", "store read", "store key"], rows: rows)
    }

    private func ghosts(_ prefix: String) -> String {
        let count = metrics[prefix + ".ghosts.count"] ?? 0
        let interval = replications?.intervals[prefix + ".ghosts.count"]
        guard count > 0 || (interval?.halfWidth ?? 0) > 0 else { return "0" }
        return "\(value(prefix + ".ghosts.count")), longest \(value(prefix + ".ghosts.longest"))"
    }

    private var causeTable: ReportTable {
        var rows: [[String]] = []
        for cause in DepartureCause.allCases {
            let observers = "staleness.offlineDetection.byCause.\(cause.name)"
            let store = "staleness.store.offlineDetection.byCause.\(cause.name)"
            guard (metrics[observers + ".count"] ?? 0) + (metrics[store + ".count"] ?? 0) > 0 else { continue }
            rows.append([
                cause.name, Format.count(metrics[observers + ".count"] ?? 0),
                "\(value(observers + ".p50")) / \(value(observers + ".p99"))",
                "\(value(store + ".p50")) / \(value(store + ".p99"))",
            ])
        }
        return ReportTable(
            title: "Offline detection by cause",
            header: ["cause", "detections", "observers p50 / p99", "store read p50 / p99"],
            rows: rows)
    }

    private var costTable: ReportTable {
        var rows: [[String]] = [
            ["heartbeats", value("cost.heartbeatsPerSecond"), value("cost.heartbeatsPerClientHour")],
            ["requests (everything clients send)", value("cost.requestsPerSecond"), ""],
            ["bytes up", value("cost.bytesUpPerSecond"), ""],
            ["bytes down", value("cost.bytesDownPerSecond"), ""],
            ["store operations", value("cost.storeOpsPerSecond"), ""],
            ["heartbeats, busiest hour", value("cost.peakHour.heartbeatsPerSecond"), ""],
            ["store operations, busiest hour", value("cost.peakHour.storeOpsPerSecond"), ""],
        ]
        if (outcome.platformCounts[.ios] ?? 0) + (outcome.platformCounts[.android] ?? 0) > 0 {
            rows.append([
                "mobile radio energy", value("cost.radioJoulesPerClientHour"),
                "radio active \(value("cost.radioActiveShare"))",
            ])
        }
        return ReportTable(title: "Heartbeat cost", header: ["", "rate", "per client-hour online"], rows: rows)
    }

    private var fanoutTable: ReportTable {
        ReportTable(
            title: "Fan-out", header: ["", "value", ""],
            rows: [
                ["events pushed", value("fanout.eventsPerSecond"), ""],
                ["deliveries", value("fanout.deliveriesPerSecond"), value("fanout.deliveriesPerClientHour")],
                [
                    "recipients per event",
                    "mean \(value("fanout.perEvent.mean")) · p99 \(value("fanout.perEvent.p99")) · max \(value("fanout.perEvent.max"))",
                    "",
                ],
                ["deliveries, busiest hour", value("fanout.peakHour.deliveriesPerSecond"), ""],
                ["peak deliveries (worst second)", value("fanout.peakDeliveriesPerSecond"), ""],
            ])
    }

    /// Where the fan-out goes: the rooms (or threads) of each size and what was pushed to them; a share is of
    /// all deliveries.
    private static func fanoutTable(by kind: String, _ buckets: [FanoutBucket], _ m: Measurements) -> ReportTable {
        let seconds = max(m.measuredSeconds, 1e-9)
        let total = max(1, m.deliveries)
        return ReportTable(
            title: "Fan-out by \(kind) size",
            header: ["\(kind) size", "\(kind)s", "events pushed", "deliveries", "share", "recipients per event"],
            rows: buckets.map { bucket in
                let perEvent = bucket.recipientsPerEvent.summary
                return [
                    bucket.sizeLabel, Format.grouped(bucket.rooms),
                    Format.metric("fanout.eventsPerSecond", Double(bucket.events) / seconds),
                    Format.metric("fanout.deliveriesPerSecond", Double(bucket.deliveries) / seconds),
                    Format.percent(Double(bucket.deliveries) / Double(total)),
                    perEvent.count > 0
                        ? "mean \(Format.number(perEvent.mean)) · max \(Format.number(perEvent.max))" : "–",
                ]
            })
    }

    /// Each cohort's key figures, side by side (the report's `cohorts` block has them all).
    private var cohortTable: ReportTable {
        let sizes = Dictionary(outcome.population.cohorts.map { ($0.name, $0.clients) }, uniquingKeysWith: +)
        let columns = [
            "staleness.offlineDetection.p99", "staleness.queryAccuracy", "staleness.ghosts.count",
            "cost.heartbeatsPerClientHour", "cost.radioJoulesPerClientHour", "fanout.deliveriesPerSecond",
        ]
        return ReportTable(
            title: "Cohorts",
            header: [
                "cohort", "clients", "offline detection p99", "query accuracy", "ghosts", "heartbeats per client-hour",
                "radio energy", "deliveries",
            ],
            rows: scenario.cohorts.map { cohort in
                [cohort.name, Format.grouped(sizes[cohort.name] ?? 0)]
                    + columns.map { value(MetricCatalog.cohortsPrefix + cohort.name + "." + $0) }
            })
    }

    /// Who was in which room.
    private var populationTable: ReportTable {
        let population = outcome.population
        func distribution(_ summary: Summary) -> String {
            "mean \(Format.number(summary.mean)) · p50 \(Format.number(summary.p50)) · p90 \(Format.number(summary.p90)) · "
                + "p99 \(Format.number(summary.p99)) · max \(Format.number(summary.max))"
        }
        var rows = [
            ["rooms", Format.grouped(population.rooms)],
            ["room size", distribution(population.roomSize)],
            ["rooms per client", distribution(population.roomsPerClient)],
        ]
        if let threads = population.threads {
            rows += [
                ["threads", Format.grouped(threads.count)],
                ["thread size", distribution(threads.size)],
                ["threads per client", distribution(threads.perClient)],
            ]
        }
        if population.droppedMemberships > 0 {
            rows.append(["memberships that did not fit", Format.grouped(population.droppedMemberships)])
        }
        return ReportTable(title: "Population", header: ["", ""], rows: rows)
    }
}

/// Renders tables as aligned text, with colour on a terminal.
public struct TextRenderer {
    public var colour: Bool

    public init(colour: Bool) { self.colour = colour }

    public func render(_ tables: [ReportTable]) -> String {
        tables.map(render).joined(separator: "\n")
    }

    public func render(_ table: ReportTable) -> String {
        let rows = [table.header] + table.rows
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        var lines = [bold(table.title)]
        for (index, row) in rows.enumerated() {
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            var line = "  " + cells.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            if index == 0 {
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                line = dim(line)
            } else if table.failedRows.contains(index - 1) {
                line = red(line)
            } else if row.first == "pass" {
                line = green(line)
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func bold(_ text: String) -> String { colour ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    private func dim(_ text: String) -> String { colour ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
    private func red(_ text: String) -> String { colour ? "\u{1B}[31m\(text)\u{1B}[0m" : text }
    private func green(_ text: String) -> String { colour ? "\u{1B}[32m\(text)\u{1B}[0m" : text }
}

/// Renders tables as GitHub-flavoured Markdown.
public enum MarkdownRenderer {
    public static func render(_ table: ReportTable) -> String {
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
        }
        var lines = ["### \(table.title)", "", line(table.header), line(table.header.map { _ in "---" })]
        for (index, row) in table.rows.enumerated() {
            lines.append(line(table.failedRows.contains(index) ? row.map { $0.isEmpty ? $0 : "**\($0)**" } : row))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func render(_ report: RunReport) -> String {
        var text = "# presence-sim report: \(report.scenario.name)\n\n\(report.headline)\n\n"
        if let description = report.scenario.description { text += "> \(description)\n\n" }
        if let note = report.replicationNote { text += note + "\n\n" }
        text += report.tables.map(render).joined(separator: "\n")
        text += "\nFingerprint `\(report.fingerprint)` (identical for the same scenario and seed on either engine).\n"
        return text
    }
}

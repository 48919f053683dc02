import Scenario
import Simulation

/// Every metric of a run as a flat map from its catalog path to its value in base units: the one
/// source the report, the thresholds, `compare` and sweeps read from.
public struct MetricValues: Sendable, Equatable {
    public internal(set) var values: [String: Double] = [:]

    public init(values: [String: Double]) { self.values = values }

    public subscript(path: String) -> Double? { values[path] }

    /// Derives every catalog metric from a run's measurements.
    public init(_ m: Measurements) {
        add("staleness", m.observers)
        add("staleness.store", m.store)
        add("staleness.store.key", m.storeKey)
        add("staleness.onlinePropagation", m.observers.onlinePropagation.summary)
        add("staleness.typingPropagation", m.typingPropagation.summary)
        add("staleness.ghostTyping", m.ghostTyping.summary)
        add("staleness.lastSeenError", m.lastSeenError.summary)
        if let lag = m.expiryLag { add("staleness.expiryLag", lag.summary) }
        let seconds = max(m.measuredSeconds, 1e-9)
        let onlineHours = m.onlineClientSeconds / 3600
        let mobileHours = m.mobileOnlineSeconds / 3600
        values["cost.heartbeatsPerSecond"] = Double(m.heartbeats) / seconds
        values["cost.heartbeatsPerClientHour"] = onlineHours > 0 ? Double(m.heartbeats) / onlineHours : 0
        values["cost.requestsPerSecond"] = Double(m.requests) / seconds
        values["cost.bytesUpPerSecond"] = Double(m.bytesUp) / seconds
        values["cost.bytesDownPerSecond"] = Double(m.bytesDown) / seconds
        values["cost.storeOpsPerSecond"] = Double(m.storeOps) / seconds
        values["cost.radioJoulesPerClientHour"] = mobileHours > 0 ? m.radioJoules / mobileHours : 0
        values["cost.radioActiveShare"] =
            m.mobileOnlineSeconds > 0 ? min(1, m.radioActiveSeconds / m.mobileOnlineSeconds) : 0
        values["cost.peakHour.heartbeatsPerSecond"] = m.peakHour.heartbeatsPerSecond
        values["cost.peakHour.storeOpsPerSecond"] = m.peakHour.storeOpsPerSecond
        values["fanout.eventsPerSecond"] = Double(m.fanoutEvents) / seconds
        values["fanout.deliveriesPerSecond"] = Double(m.deliveries) / seconds
        values["fanout.deliveriesPerClientHour"] = onlineHours > 0 ? Double(m.deliveries) / onlineHours : 0
        let perEvent = m.recipientsPerEvent.summary
        values["fanout.perEvent.mean"] = perEvent.mean
        values["fanout.perEvent.p99"] = perEvent.p99
        values["fanout.perEvent.max"] = perEvent.max
        values["fanout.peakDeliveriesPerSecond"] = Double(m.deliveriesBySecond.max() ?? 0)
        values["fanout.peakHour.deliveriesPerSecond"] = m.peakHour.deliveriesPerSecond
    }

    private mutating func add(_ prefix: String, _ stats: StalenessStats) {
        add(prefix + ".offlineDetection", stats.offlineDetection.summary)
        for cause in DepartureCause.allCases {
            add(
                prefix + ".offlineDetection.byCause." + cause.name,
                stats.offlineDetectionByCause[Int(cause.rawValue)].summary)
        }
        values[prefix + ".ghosts.count"] = Double(stats.ghosts)
        values[prefix + ".ghosts.longest"] = stats.longestGhost.seconds
        values[prefix + ".falseOffline.perClientHour"] = stats.mistakesPerClientHour
        values[prefix + ".falseOffline.flapsPerClientHour"] = stats.flapsPerClientHour
        add(prefix + ".falseOffline.duration", stats.mistakeDuration.summary)
        values[prefix + ".queryAccuracy"] = stats.queryAccuracy
    }

    private mutating func add(_ prefix: String, _ summary: Summary) {
        values[prefix + ".count"] = Double(summary.count)
        values[prefix + ".mean"] = summary.mean
        values[prefix + ".p50"] = summary.p50
        values[prefix + ".p90"] = summary.p90
        values[prefix + ".p99"] = summary.p99
        values[prefix + ".max"] = summary.max
    }

    /// The metrics under `section` ("staleness", "cost", "fanout") as nested JSON, in catalog order; with
    /// `prefix` (`"cohorts.phones."`), that cohort's.
    public func json(section: String, prefix: String = "") -> JSONValue {
        var root = JSONTree()
        for metric in MetricCatalog.all where metric.path.hasPrefix(section + ".") {
            guard let value = values[prefix + metric.path] else { continue }
            root.insert(path: metric.path.split(separator: ".").dropFirst().map(String.init), value: .number(value))
        }
        return root.json
    }

    /// Adds each cohort's metrics under `cohorts.{name}.`, the same paths as the run's.
    mutating func addCohorts(_ names: [String], _ cohorts: [MetricValues]) {
        for (name, cohort) in zip(names, cohorts) {
            for (path, value) in cohort.values where !path.hasPrefix(MetricCatalog.cohortsPrefix) {
                values[MetricCatalog.cohortsPrefix + name + "." + path] = value
            }
        }
    }

    /// The report's `cohorts` block: each cohort's `staleness`, `cost` and `fanout`, keyed by name.
    func cohortsJSON(_ names: [String]) -> JSONValue {
        .object(
            names.map { name in
                let prefix = MetricCatalog.cohortsPrefix + name + "."
                return (
                    key: name,
                    value: [
                        "staleness": json(section: "staleness", prefix: prefix),
                        "cost": json(section: "cost", prefix: prefix),
                        "fanout": json(section: "fanout", prefix: prefix),
                    ]
                )
            })
    }

    /// Reads the flat values back from a report's sections, its cohorts' included.
    public init(report: JSONValue) {
        func read(_ root: JSONValue?, prefix: String) {
            for metric in MetricCatalog.all {
                var node: JSONValue? = root
                for component in metric.path.split(separator: ".") { node = node?[String(component)] }
                if let value = node?.doubleValue { values[prefix + metric.path] = value }
            }
        }
        read(report, prefix: "")
        if case .object(let cohorts)? = report["cohorts"] {
            for (name, block) in cohorts { read(block, prefix: MetricCatalog.cohortsPrefix + name + ".") }
        }
    }
}

/// Builds nested JSON objects from dotted paths, keeping first-insertion order.
private struct JSONTree {
    private var keys: [String] = []
    private var leaves: [String: JSONValue] = [:]
    private var children: [String: JSONTree] = [:]

    mutating func insert(path: [String], value: JSONValue) {
        guard let first = path.first else { return }
        if leaves[first] == nil && children[first] == nil { keys.append(first) }
        if path.count == 1 {
            leaves[first] = value
        } else {
            children[first, default: JSONTree()].insert(path: Array(path.dropFirst()), value: value)
        }
    }

    var json: JSONValue {
        .object(keys.map { key in (key: key, value: children[key]?.json ?? leaves[key] ?? .null) })
    }
}

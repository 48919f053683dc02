/// Every figure a run report carries, by its JSON path.
///
/// Thresholds in a scenario and `compare` name metrics by these paths; the catalog says what unit a
/// value is in and in which direction a change is a regression.
public enum MetricCatalog {
    /// The unit a metric's value is reported in (always the base unit in JSON).
    public enum Unit: String, Sendable {
        case seconds
        /// A share in 0…1; thresholds may write it as a percentage (`"> 99.5%"`).
        case ratio
        case perSecond = "1/s"
        case perClientHour = "1/client-hour"
        case count
        case joulesPerClientHour = "J/client-hour"
        case bytesPerSecond = "B/s"
        case recipients
    }

    /// Which way is better.
    public enum Direction: String, Sendable {
        case lowerIsBetter = "lower"
        case higherIsBetter = "higher"
        /// Neither: a sample count, which only says how much a distribution rests on.
        case neither
    }

    public struct Metric: Sendable, Hashable {
        public let path: String
        public let unit: Unit
        public let better: Direction
    }

    /// The fields of a distribution block; `count` is a sample count, the others are in the metric's unit.
    public static let distributionFields = ["mean", "p50", "p90", "p99", "max"]

    private static func distribution(_ path: String, _ unit: Unit = .seconds) -> [Metric] {
        [Metric(path: path + ".count", unit: .count, better: .neither)]
            + distributionFields.map { Metric(path: path + "." + $0, unit: unit, better: .lowerIsBetter) }
    }

    private static func detection(_ prefix: String) -> [Metric] {
        var metrics = distribution(prefix + ".offlineDetection")
        for cause in ["graceful", "crash", "vanish", "suspended"] {
            metrics += distribution(prefix + ".offlineDetection.byCause." + cause)
        }
        metrics += [
            Metric(path: prefix + ".ghosts.count", unit: .count, better: .lowerIsBetter),
            Metric(path: prefix + ".ghosts.longest", unit: .seconds, better: .lowerIsBetter),
            Metric(path: prefix + ".falseOffline.perClientHour", unit: .perClientHour, better: .lowerIsBetter),
            Metric(path: prefix + ".falseOffline.flapsPerClientHour", unit: .perClientHour, better: .lowerIsBetter),
            Metric(path: prefix + ".queryAccuracy", unit: .ratio, better: .higherIsBetter),
        ]
        metrics += distribution(prefix + ".falseOffline.duration")
        return metrics
    }

    /// All metrics, in report order.
    public static let all: [Metric] = {
        var metrics = detection("staleness")
        metrics += distribution("staleness.onlinePropagation")
        metrics += detection("staleness.store")
        metrics += detection("staleness.store.key")
        metrics += distribution("staleness.typingPropagation")
        metrics += distribution("staleness.ghostTyping")
        metrics += distribution("staleness.lastSeenError")
        // Reported only when the store expires keys late: `protocol.expiry` a sweep interval or "redis".
        metrics += distribution("staleness.expiryLag")
        metrics += [
            Metric(path: "cost.heartbeatsPerSecond", unit: .perSecond, better: .lowerIsBetter),
            Metric(path: "cost.heartbeatsPerClientHour", unit: .perClientHour, better: .lowerIsBetter),
            Metric(path: "cost.requestsPerSecond", unit: .perSecond, better: .lowerIsBetter),
            Metric(path: "cost.bytesUpPerSecond", unit: .bytesPerSecond, better: .lowerIsBetter),
            Metric(path: "cost.bytesDownPerSecond", unit: .bytesPerSecond, better: .lowerIsBetter),
            Metric(path: "cost.storeOpsPerSecond", unit: .perSecond, better: .lowerIsBetter),
            Metric(path: "cost.radioJoulesPerClientHour", unit: .joulesPerClientHour, better: .lowerIsBetter),
            Metric(path: "cost.radioActiveShare", unit: .ratio, better: .lowerIsBetter),
            Metric(path: "cost.peakHour.heartbeatsPerSecond", unit: .perSecond, better: .lowerIsBetter),
            Metric(path: "cost.peakHour.storeOpsPerSecond", unit: .perSecond, better: .lowerIsBetter),
            Metric(path: "fanout.eventsPerSecond", unit: .perSecond, better: .lowerIsBetter),
            Metric(path: "fanout.deliveriesPerSecond", unit: .perSecond, better: .lowerIsBetter),
            Metric(path: "fanout.deliveriesPerClientHour", unit: .perClientHour, better: .lowerIsBetter),
            Metric(path: "fanout.perEvent.mean", unit: .recipients, better: .lowerIsBetter),
            Metric(path: "fanout.perEvent.p99", unit: .recipients, better: .lowerIsBetter),
            Metric(path: "fanout.perEvent.max", unit: .recipients, better: .lowerIsBetter),
            Metric(path: "fanout.peakDeliveriesPerSecond", unit: .perSecond, better: .lowerIsBetter),
            Metric(path: "fanout.peakHour.deliveriesPerSecond", unit: .perSecond, better: .lowerIsBetter),
        ]
        return metrics
    }()

    private static let byPath: [String: Metric] = Dictionary(uniqueKeysWithValues: all.map { ($0.path, $0) })

    /// The metric at `path`, or nil when no report carries it. A cohort's metric,
    /// `cohorts.{name}.{path}`, is the run's metric at `path`, whatever the name.
    public static func metric(at path: String) -> Metric? {
        if let metric = byPath[path] { return metric }
        guard let (_, rest) = cohortPath(path), let metric = byPath[rest] else { return nil }
        return Metric(path: path, unit: metric.unit, better: metric.better)
    }

    /// Where the cohorts' metrics live: `cohorts.phones.cost.radioJoulesPerClientHour`.
    public static let cohortsPrefix = "cohorts."

    /// A cohort metric path split into the cohort's name and the run metric's path, or nil for another path.
    public static func cohortPath(_ path: String) -> (cohort: String, metric: String)? {
        guard path.hasPrefix(cohortsPrefix) else { return nil }
        let rest = path.dropFirst(cohortsPrefix.count)
        guard let dot = rest.firstIndex(of: "."), dot > rest.startIndex else { return nil }
        return (String(rest[..<dot]), String(rest[rest.index(after: dot)...]))
    }
}

extension MetricCatalog {
    /// The metric path closest to a misspelt one, for "did you mean" messages.
    public static func suggestion(for path: String) -> String? {
        Suggestions.closest(to: path, among: all.map(\.path))
    }
}

import Foundation
import Scenario
import Simulation

/// The independent replications behind a report: their seeds and, per metric, the mean, standard
/// deviation and 95% Student t interval of the replications' values — what `replications` in
/// `report.json` holds.
///
/// The report's usual blocks hold the pooled figures (``MetricValues/init(pooled:replications:)``); the intervals
/// say how much those figures would move with other seeds.
public struct ReplicationSet: Sendable, Equatable {
    /// How many replications were asked for.
    public var planned: Int
    /// The seeds of the replications that finished and were pooled, in replication order.
    public var seeds: [UInt64]
    /// Each catalog metric's interval across the pooled replications; empty with fewer than two.
    public var intervals: [String: SampleInterval]

    /// The replications pooled.
    public var count: Int { seeds.count }
    public var complete: Bool { count == planned }

    /// The intervals of `values`, one `MetricValues` per replication in replication order.
    init(planned: Int, seeds: [UInt64], values: [MetricValues]) {
        self.planned = planned
        self.seeds = seeds
        intervals = [:]
        guard values.count >= 2 else { return }
        let critical = StudentT.critical(confidence: SampleInterval.confidence, df: Double(values.count - 1))
        for metric in MetricCatalog.all {
            let sample = values.compactMap { $0[metric.path] }
            guard sample.count == values.count, sample.allSatisfy(\.isFinite) else { continue }
            intervals[metric.path] = SampleInterval(sample, critical: critical)
        }
    }

    /// Reads the block back from a report or sweep point; nil when there is none.
    public init?(json: JSONValue?) {
        guard let json, let seeds = json["seeds"]?.arrayValue?.compactMap(\.uint64Value) else { return nil }
        self.seeds = seeds
        planned = json["planned"]?.doubleValue.flatMap { Int(exactly: $0) } ?? seeds.count
        intervals = [:]
        for (path, value) in json["metrics"]?.objectValue ?? [] {
            guard let mean = value["mean"]?.doubleValue, let stdev = value["stdev"]?.doubleValue,
                let bounds = value["ci95"]?.arrayValue, bounds.count == 2, let low = bounds[0].doubleValue,
                let high = bounds[1].doubleValue
            else { continue }
            intervals[path] = SampleInterval(count: seeds.count, mean: mean, stdev: stdev, low: low, high: high)
        }
    }

    /// The block as JSON: `count`, `planned` (only when some did not finish), `seeds`, and `metrics` in
    /// catalog order.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [("count", JSONValue(count))]
        if !complete { fields.append(("planned", JSONValue(planned))) }
        fields.append(("seeds", .array(seeds.map { JSONValue($0) })))
        fields.append(("confidence", .number(SampleInterval.confidence)))
        let metrics: [(String, JSONValue)] = MetricCatalog.all.compactMap { metric in
            guard let interval = intervals[metric.path] else { return nil }
            return (
                metric.path,
                [
                    "mean": .number(interval.mean), "stdev": .number(interval.stdev),
                    "ci95": [.number(interval.low), .number(interval.high)],
                ]
            )
        }
        fields.append(("metrics", JSONValue(object: metrics)))
        return JSONValue(object: fields)
    }

    /// "5 replications" or "3 of 5 replications".
    public var description: String {
        (complete ? "\(count)" : "\(count) of \(planned)") + (planned == 1 ? " replication" : " replications")
    }
}

extension Scenario {
    /// The scenario of replication `index`: the same scenario with the replication's seed.
    public func replication(_ index: Int) -> Scenario {
        var copy = self
        copy.seed = Replication.seed(seed, replication: index)
        return copy
    }
}

extension MetricValues {
    /// The metrics of `count` replications' measurements pooled into one (``Measurements/pooled(_:)``).
    ///
    /// Pooling merges what the replications measured, as if it were one run as long as all of them
    /// together: histograms are merged (so p99 is the p99 of every sample), totals and measured time are
    /// summed (so rates are per second over the summed time, and accuracies weight every
    /// viewer-second alike), maxima are the largest of any replication (`max`, `ghosts.longest`,
    /// `fanout.peakDeliveriesPerSecond`). Counts (`ghosts.count`, every sample `count`) are given per
    /// replication — the total divided by the number of replications — so thresholds and comparisons on
    /// them mean the same whatever the number of replications.
    public init(pooled measurements: Measurements, replications count: Int) {
        self.init(measurements)
        let share = 1 / Double(max(1, count))
        for metric in MetricCatalog.all where metric.unit == .count {
            if let total = values[metric.path] { values[metric.path] = total * share }
        }
    }
}

extension Measurements {
    /// The replications' measurements merged (see ``MetricValues/init(pooled:replications:)``); the
    /// timeline is the first replication's: a sample path, whose restarts and storms averaging would smear.
    static func pooled(_ parts: [Measurements]) -> Measurements {
        precondition(!parts.isEmpty, "pooling needs at least one replication")
        var pooled = parts[0]
        for part in parts.dropFirst() {
            pooled.observers.pool(part.observers)
            pooled.store.pool(part.store)
            pooled.storeKey.pool(part.storeKey)
            pooled.typingPropagation.add(part.typingPropagation)
            pooled.ghostTyping.add(part.ghostTyping)
            pooled.lastSeenError.add(part.lastSeenError)
            if let lag = part.expiryLag { pooled.expiryLag?.add(lag) }
            pooled.heartbeats += part.heartbeats
            pooled.requests += part.requests
            pooled.bytesUp += part.bytesUp
            pooled.bytesDown += part.bytesDown
            pooled.storeOps += part.storeOps
            pooled.mobileOnlineSeconds += part.mobileOnlineSeconds
            pooled.radioJoules += part.radioJoules
            pooled.radioActiveSeconds += part.radioActiveSeconds
            pooled.fanoutEvents += part.fanoutEvents
            pooled.deliveries += part.deliveries
            pooled.recipientsPerEvent.add(part.recipientsPerEvent)
            pooled.deliveriesBySecond += part.deliveriesBySecond
            pooled.onlineClientSeconds += part.onlineClientSeconds
            pooled.measuredSeconds += part.measuredSeconds
        }
        return pooled
    }
}

extension StalenessStats {
    fileprivate mutating func pool(_ other: StalenessStats) {
        offlineDetection.add(other.offlineDetection)
        for cause in offlineDetectionByCause.indices {
            offlineDetectionByCause[cause].add(other.offlineDetectionByCause[cause])
        }
        ghosts += other.ghosts
        longestGhost = max(longestGhost, other.longestGhost)
        mistakes += other.mistakes
        mistakeDuration.add(other.mistakeDuration)
        flaps += other.flaps
        onlinePropagation.add(other.onlinePropagation)
        observedSeconds += other.observedSeconds
        upSeconds += other.upSeconds
        wrongSeconds += other.wrongSeconds
    }
}

/// Runs many independent simulations on a pool of threads: the replications of a run, or every
/// replication of every point of a sweep.
public enum ParallelRuns {
    /// Runs every scenario, up to `jobs` at once; results come back in the order of `scenarios`, so
    /// they do not depend on `jobs`.
    ///
    /// - Parameters:
    ///   - progress: called with (finished, total) after each run finishes, from the worker's thread.
    ///   - shouldStop: polled by every running simulation; once it returns true, running ones stop early
    ///     (their outcomes are not `complete`) and no new one starts (its slot stays nil).
    public static func run(
        _ scenarios: [Scenario], engine: EngineKind, jobs: Int, progress: (@Sendable (Int, Int) -> Void)? = nil,
        shouldStop: (@Sendable () -> Bool)? = nil
    ) -> [RunOutcome?] {
        let results = ResultSlots<RunOutcome>(count: scenarios.count)
        let workers = max(1, min(jobs, scenarios.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            // The first simulation always starts, so that even a run stopped at once reports something.
            while let slot = results.take(), slot == 0 || shouldStop?() != true {
                results.set(slot, Simulator.run(scenarios[slot], engine: engine, shouldStop: shouldStop))
                progress?(results.filled, scenarios.count)
            }
        }
        return results.slots
    }
}

/// Slots filled by concurrent workers, read back in slot order.
final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: every access to `storage` and `counter` holds `lock`.
    private let lock = NSLock()
    private var storage: [Value?]
    private var counter = 0

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Value) { lock.withLock { storage[index] = value } }

    var filled: Int { lock.withLock { storage.count { $0 != nil } } }

    var slots: [Value?] { lock.withLock { storage } }

    /// The next unclaimed slot, for a work queue.
    func take() -> Int? {
        lock.withLock {
            guard counter < storage.count else { return nil }
            defer { counter += 1 }
            return counter
        }
    }
}

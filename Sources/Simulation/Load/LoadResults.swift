import PresenceCore

extension LoadTest {
    /// One step of a load test as measured.
    public struct MeasuredStep: Sendable {
        public var index: Int
        public var speed: Double
        public var wallSeconds: Double
        /// Operations due in the step (by `OperationKind`), and those the core finished in it.
        public var offered: [Int]
        public var achieved: [Int]
        public var events: Int
        public var deliveries: Int
        public var lag: LatencySummary
        public var latency: LatencySummary
        /// Inputs the core shards handled in the step (operations, timers, faults), and the wall-clock time
        /// they spent on them, summed over shards.
        public var coreInputs: Int
        public var coreBusySeconds: Double

        public var offeredTotal: Int { offered.reduce(0, +) }
        public var achievedTotal: Int { achieved.reduce(0, +) }

        /// The share of the step the shards spent handling inputs (1 = every shard busy all the time).
        public func coreBusyShare(shards: Int) -> Double {
            wallSeconds > 0 ? coreBusySeconds / (wallSeconds * Double(shards)) : 0
        }

        /// Mean wall-clock time a shard spent on one input: one shard can serve at most its inverse per second.
        public var coreServiceTime: Double { coreInputs > 0 ? coreBusySeconds / Double(coreInputs) : 0 }
    }
}

/// The result of one load test.
public struct LoadOutcome: Sendable {
    public var shards: Int
    /// Tasks that fire due events (each owns a share of the clients).
    public var drivers: Int
    public var schedule: SpeedSchedule
    /// The steps that ran, in order.
    public var steps: [LoadTest.MeasuredStep]
    public var wallSeconds: Double
    public var simulated: Instant
    /// Operation latency by `OperationKind`: from the call to the core to its return.
    public var latency: [LatencySummary]
    /// How late events fired against the wall-clock instant their simulated time maps to.
    public var lag: LatencySummary
    /// Entries that lapsed in the store, and of those, the ones the tester caused by falling behind.
    public var lapses: Int
    public var testerLapses: Int
    /// False when the test was interrupted, or stopped by its target.
    public var complete: Bool
    /// Why the target stopped the test (too many failed operations), or nil.
    public var stopReason: String?
    /// Operations the target failed, by kind of error (`WRONGTYPE`, `OOM`, `timeout`, `connection lost`).
    public var errors: [String: Int] = [:]

    /// Operations due, and finished, over the whole test, by `OperationKind`.
    public var offered: [Int] {
        OperationKind.allCases.map { kind in steps.reduce(0) { $0 + $1.offered[kind.rawValue] } }
    }
    public var achieved: [Int] {
        OperationKind.allCases.map { kind in steps.reduce(0) { $0 + $1.achieved[kind.rawValue] } }
    }
    public var events: Int { steps.reduce(0) { $0 + $1.events } }
    public var deliveries: Int { steps.reduce(0) { $0 + $1.deliveries } }
    public var coreInputs: Int { steps.reduce(0) { $0 + $1.coreInputs } }
    public var coreBusySeconds: Double { steps.reduce(0) { $0 + $1.coreBusySeconds } }
    /// The share of the test the shards spent handling inputs.
    public var coreBusyShare: Double { wallSeconds > 0 ? coreBusySeconds / (wallSeconds * Double(shards)) : 0 }
    /// Mean wall-clock time a shard spent on one input.
    public var coreServiceTime: Double { coreInputs > 0 ? coreBusySeconds / Double(coreInputs) : 0 }
}

import Histogram
import PresenceCore

/// What a client asks of the presence core, by kind, as a load test counts it.
public enum OperationKind: Int, CaseIterable, Sendable {
    /// A heartbeat, or a beacon that writes a present status.
    case heartbeat
    /// A socket connect or a room join.
    case join
    /// A close, `leave()`, a room leave, or an offline beacon.
    case leave
    case typing
    /// A poll of the room, the users or who types.
    case read
    /// The transport's ping to a socket (the server's own liveness traffic).
    case ping

    public var name: String {
        switch self {
        case .heartbeat: "heartbeat"
        case .join: "join"
        case .leave: "leave"
        case .typing: "typing"
        case .read: "read"
        case .ping: "ping"
        }
    }

    init(_ message: Uplink) {
        switch message {
        case .heartbeat: self = .heartbeat
        case .beacon(let status): self = status.isPresent ? .heartbeat : .leave
        case .connect, .joinRoom: self = .join
        case .close, .leave, .leaveRoom: self = .leave
        case .typing: self = .typing
        case .pollRoom, .pollUsers, .pollTyping: self = .read
        }
    }
}

/// Wall-clock durations in an HDR histogram, in nanoseconds up to ten seconds (longer ones count as ten
/// seconds).
public struct WallHistogram: Sendable {
    private static let ceiling: UInt64 = 10_000_000_000
    private var histogram: Histogram<UInt64>

    /// `precise`: three significant digits (0.1%); otherwise two (1%), at an eighth of the memory.
    public init(precise: Bool) {
        histogram = Histogram(
            highestTrackableValue: Self.ceiling, numberOfSignificantValueDigits: precise ? .three : .two)
    }

    public mutating func record(nanoseconds: Int64) {
        _ = histogram.record(min(UInt64(clamping: max(0, nanoseconds)), Self.ceiling))
    }

    public mutating func add(_ other: WallHistogram) { histogram.add(other.histogram) }

    public var summary: LatencySummary {
        guard histogram.totalCount > 0 else { return .empty }
        func seconds(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) * 1e-9 }
        return LatencySummary(
            count: Int(histogram.totalCount), mean: histogram.mean * 1e-9, p50: seconds(50), p99: seconds(99),
            p999: seconds(99.9), max: Double(histogram.max) * 1e-9)
    }
}

/// A wall-clock duration distribution as a load report carries it, in seconds.
public struct LatencySummary: Hashable, Sendable {
    public var count: Int
    public var mean: Double
    public var p50: Double
    public var p99: Double
    public var p999: Double
    public var max: Double

    public static let empty = LatencySummary(count: 0, mean: 0, p50: 0, p99: 0, p999: 0, max: 0)
}

/// One step's figures: what the model asked for in the step's simulated stretch, and what was done in
/// its wall-clock stretch.
struct StepCounts: Sendable {
    /// Operations due in the step, by kind.
    var offered = Array(repeating: 0, count: OperationKind.allCases.count)
    /// Operations the core finished in the step, by kind.
    var achieved = Array(repeating: 0, count: OperationKind.allCases.count)
    var events = 0
    var deliveries = 0
    var lag = WallHistogram(precise: false)
    var latency = WallHistogram(precise: false)

    mutating func add(_ other: StepCounts) {
        for kind in offered.indices {
            offered[kind] += other.offered[kind]
            achieved[kind] += other.achieved[kind]
        }
        events += other.events
        deliveries += other.deliveries
        lag.add(other.lag)
        latency.add(other.latency)
    }
}

/// What one driver measured: the whole test's distributions, and counts per step.
struct DriverStatistics: Sendable {
    var latency = OperationKind.allCases.map { _ in WallHistogram(precise: true) }
    var lag = WallHistogram(precise: true)
    private(set) var steps: [StepCounts] = []

    subscript(step step: Int) -> StepCounts { step < steps.count ? steps[step] : StepCounts() }

    mutating func offered(_ kind: OperationKind, step: Int) {
        grow(to: step)
        steps[step].offered[kind.rawValue] += 1
    }

    mutating func dispatched(lag nanoseconds: Int64, step: Int) {
        lag.record(nanoseconds: nanoseconds)
        grow(to: step)
        steps[step].lag.record(nanoseconds: nanoseconds)
        steps[step].events += 1
    }

    mutating func finished(_ kind: OperationKind, latency nanoseconds: Int64, step: Int) {
        latency[kind.rawValue].record(nanoseconds: nanoseconds)
        grow(to: step)
        steps[step].latency.record(nanoseconds: nanoseconds)
        steps[step].achieved[kind.rawValue] += 1
    }

    mutating func delivered(_ count: Int, step: Int) {
        grow(to: step)
        steps[step].deliveries += count
    }

    /// Makes room for counts of step `step`. (Counts are updated in place in `steps`: going through a
    /// computed property would copy a step's histograms on every event.)
    private mutating func grow(to step: Int) {
        while steps.count <= step { steps.append(StepCounts()) }
    }
}

/// Which presence entries lapsed in the store, and which of those lapses the load tester caused.
///
/// An entry lapses when its TTL runs out before a refresh. The lapse is the tester's doing when the input
/// that next touched the client was due before the entry ran out but reached the core after it: a
/// heartbeat held up in the tester's queues, not one the model never sent.
struct LapseTracker: Sendable {
    /// The expiry of each client's entry that the store holds with a TTL.
    private var until: [ClientID: Instant] = [:]
    private(set) var lapses = 0
    private(set) var testerCaused = 0

    /// The store now shows `client` present until `newUntil` (or absent when that is `now`), on an input
    /// that was due at `due`.
    mutating func storeView(_ client: ClientID, presentUntil newUntil: Instant, now: Instant, due: Instant) {
        if let previous = until[client], previous <= now {
            lapses += 1
            if due < previous { testerCaused += 1 }
        }
        until[client] = newUntil > now ? newUntil : nil
    }

    /// Counts the entries that ran out by `end` with nothing touching them after.
    mutating func finish(at end: Instant) {
        lapses += until.values.count { $0 <= end }
        until.removeAll()
    }
}

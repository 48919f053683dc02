import Foundation
import Histogram
import PresenceCore

/// A distribution's summary as reports carry it: count, mean and percentiles, in the histogram's unit.
public struct Summary: Hashable, Sendable {
    public var count: Int
    public var mean: Double
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var max: Double

    public static let empty = Summary(count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0)
}

/// Durations in an HDR histogram at microsecond resolution with three significant digits (values are
/// exact to 0.1%), reported in seconds. Durations beyond 100 days are recorded as 100 days.
public struct DurationHistogram: Sendable {
    private static let ceiling: UInt64 = 100 * 86_400 * 1_000_000
    private var histogram = Histogram<UInt64>(highestTrackableValue: ceiling, numberOfSignificantValueDigits: .three)

    public init() {}

    public mutating func record(_ duration: Interval) {
        let microseconds = UInt64(clamping: max(0, duration.nanoseconds / 1_000))
        _ = histogram.record(min(microseconds, Self.ceiling))
    }

    public var count: Int { Int(histogram.totalCount) }

    /// Adds every value `other` recorded, as if they had been recorded here (pooling replications).
    public mutating func add(_ other: DurationHistogram) { histogram.add(other.histogram) }

    /// The summary in seconds.
    public var summary: Summary { histogram.summary(scale: 1e-6) }

    /// (seconds, cumulative share) points of the percentile curve, for charts.
    public func percentileCurve(points: Int = 60) -> [(seconds: Double, percentile: Double)] {
        guard histogram.totalCount > 0 else { return [] }
        return (0...points).map { step in
            let percentile = 100 * (1 - pow(10, -4 * Double(step) / Double(points)))
            return (Double(histogram.valueAtPercentile(percentile)) * 1e-6, percentile)
        }
    }
}

/// Counts (recipients per event) in an HDR histogram.
public struct CountHistogram: Sendable {
    private var histogram = Histogram<UInt64>(highestTrackableValue: 1 << 32, numberOfSignificantValueDigits: .three)

    public init() {}

    public mutating func record(_ value: Int) { _ = histogram.record(UInt64(max(0, value))) }

    /// Adds every value `other` recorded, as if they had been recorded here (pooling replications).
    public mutating func add(_ other: CountHistogram) { histogram.add(other.histogram) }

    public var summary: Summary { histogram.summary(scale: 1) }

    /// (value, events) pairs of the distinct recorded values, ascending, for charts.
    public var buckets: [(value: Int, events: Int)] {
        histogram.recordedValues().map { (Int($0.value), Int($0.countAddedInThisIterationStep)) }
    }
}

extension Histogram where Count == UInt64 {
    fileprivate func summary(scale: Double) -> Summary {
        guard totalCount > 0 else { return .empty }
        return Summary(
            count: Int(totalCount), mean: mean * scale,
            p50: Double(valueAtPercentile(50)) * scale, p90: Double(valueAtPercentile(90)) * scale,
            p99: Double(valueAtPercentile(99)) * scale, max: Double(max) * scale)
    }
}

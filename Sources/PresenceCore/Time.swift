/// A span of virtual time, in nanoseconds.
///
/// presence-sim never reads a wall clock in its models: every operation takes the current
/// ``Instant`` as an argument. Nanoseconds in an `Int64` cover ±292 years, far more than any
/// scenario may ask for (the scenario reader refuses durations that would overflow).
public struct Interval: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = Interval(nanoseconds: 0)
    public static let nanosecondsPerSecond: Int64 = 1_000_000_000

    @inlinable public static func milliseconds(_ value: Int64) -> Interval {
        Interval(nanoseconds: value * 1_000_000)
    }
    @inlinable public static func seconds(_ value: Int64) -> Interval {
        Interval(nanoseconds: value * nanosecondsPerSecond)
    }
    /// Rounds to the nearest nanosecond. The caller MUST keep `seconds` within ±9.2e9.
    @inlinable public init(seconds: Double) { self.nanoseconds = Int64((seconds * 1e9).rounded()) }
    @inlinable public static func minutes(_ value: Int64) -> Interval { .seconds(value * 60) }
    @inlinable public static func hours(_ value: Int64) -> Interval { .seconds(value * 3600) }

    @inlinable public var seconds: Double { Double(nanoseconds) / 1e9 }

    @inlinable public static func < (lhs: Interval, rhs: Interval) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    @inlinable public static func + (lhs: Interval, rhs: Interval) -> Interval {
        Interval(nanoseconds: lhs.nanoseconds + rhs.nanoseconds)
    }
    @inlinable public static func - (lhs: Interval, rhs: Interval) -> Interval {
        Interval(nanoseconds: lhs.nanoseconds - rhs.nanoseconds)
    }
    @inlinable public static func * (lhs: Interval, rhs: Int64) -> Interval {
        Interval(nanoseconds: lhs.nanoseconds * rhs)
    }

    /// The shortest exact form with a unit, as scenario files write it: `"250ms"`, `"1.5s"`, `"20s"`,
    /// `"5m"`, `"1h"`. Values that are not a whole number of a larger unit fall back to a smaller one.
    public var description: String {
        let units: [(suffix: String, size: Int64)] = [
            ("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000),
            ("ms", 1_000_000), ("us", 1_000), ("ns", 1),
        ]
        if nanoseconds == 0 { return "0s" }
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        for (suffix, size) in units where magnitude % UInt64(size) == 0 {
            return "\(sign)\(magnitude / UInt64(size))\(suffix)"
        }
        return "\(sign)\(magnitude)ns"
    }
}

/// A point in virtual time: nanoseconds since the start of a run.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = Instant(nanoseconds: 0)
    /// Later than every instant a run can reach: "never".
    public static let distantFuture = Instant(nanoseconds: .max)

    @inlinable public var seconds: Double { Double(nanoseconds) / 1e9 }

    @inlinable public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// Saturates at ``distantFuture`` so that "now + never" stays "never".
    @inlinable public static func + (lhs: Instant, rhs: Interval) -> Instant {
        let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(rhs.nanoseconds)
        return overflow ? (rhs.nanoseconds > 0 ? .distantFuture : .zero) : Instant(nanoseconds: sum)
    }
    @inlinable public static func - (lhs: Instant, rhs: Instant) -> Interval {
        Interval(nanoseconds: lhs.nanoseconds - rhs.nanoseconds)
    }

    public var description: String { "t+\(Interval(nanoseconds: nanoseconds))" }
}

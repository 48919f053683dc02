import Foundation
import PresenceCore

/// How wall-clock time maps onto simulated time in a load test.
///
/// A load test is a series of steps, each lasting a stretch of wall-clock time at its own speed
/// (simulated seconds per wall-clock second). A fixed-speed test is steps of equal speed, which gives
/// its report a time series; a ramp is steps of rising speed.
public struct SpeedSchedule: Sendable, Hashable {
    public struct Step: Sendable, Hashable {
        /// Simulated seconds per wall-clock second.
        public var speed: Double
        /// Wall-clock nanoseconds from the start of the test.
        public var wallStart: Int64
        public var wallEnd: Int64
        public var simulatedStart: Instant
        public var simulatedEnd: Instant
    }

    public let steps: [Step]

    /// Steps of `stepLength` wall-clock time at each of `speeds` in turn.
    public init(speeds: [Double], stepLength: Interval) {
        precondition(!speeds.isEmpty && stepLength > .zero, "a schedule needs steps")
        var steps: [Step] = []
        var wall: Int64 = 0
        var simulated = Instant.zero
        for speed in speeds {
            let end = simulated + Interval(nanoseconds: Int64(Double(stepLength.nanoseconds) * speed))
            steps.append(
                Step(
                    speed: speed, wallStart: wall, wallEnd: wall + stepLength.nanoseconds, simulatedStart: simulated,
                    simulatedEnd: end))
            wall += stepLength.nanoseconds
            simulated = end
        }
        self.steps = steps
    }

    /// `simulated` time at a constant `speed`, in at most `maximumSteps` steps of at least one wall-clock
    /// second (the last step may be shorter).
    public static func constant(speed: Double, simulated: Interval, maximumSteps: Int = 600) -> SpeedSchedule {
        let wall = Double(simulated.nanoseconds) / speed
        let stepLength = max(1e9, (wall / Double(maximumSteps)).rounded(.up))
        let count = max(1, Int((wall / stepLength).rounded(.up)))
        let full = SpeedSchedule(
            speeds: Array(repeating: speed, count: count), stepLength: Interval(nanoseconds: Int64(stepLength)))
        var steps = full.steps
        steps[count - 1].simulatedEnd = Instant.zero + simulated
        steps[count - 1].wallEnd =
            steps[count - 1].wallStart
            + Int64(Double(simulated.nanoseconds - steps[count - 1].simulatedStart.nanoseconds) / speed)
        return SpeedSchedule(steps: steps)
    }

    /// A capacity ramp: steps of `stepLength` wall-clock time, the first at `first`× and each `factor`
    /// times faster than the one before, as many as fit in `maximumSteps` and `longestSimulated` of
    /// simulated time. Nil when not even the first step fits.
    public static func ramp(
        first: Double, factor: Double, stepLength: Interval, maximumSteps: Int, longestSimulated: Interval
    ) -> SpeedSchedule? {
        var speeds: [Double] = []
        var simulated = 0.0
        while speeds.count < maximumSteps {
            let next = first * pow(factor, Double(speeds.count))
            guard simulated + next * stepLength.seconds <= longestSimulated.seconds else { break }
            speeds.append(next)
            simulated += next * stepLength.seconds
        }
        return speeds.isEmpty ? nil : SpeedSchedule(speeds: speeds, stepLength: stepLength)
    }

    private init(steps: [Step]) { self.steps = steps }

    public var wallEnd: Int64 { steps[steps.count - 1].wallEnd }
    public var simulatedEnd: Instant { steps[steps.count - 1].simulatedEnd }

    /// The step in force at `wall` nanoseconds into the test (the last one after the end).
    public func step(atWall wall: Int64) -> Int {
        index { $0.wallEnd > wall }
    }

    /// The step whose simulated stretch holds `instant` (the last one after the end).
    public func step(atSimulated instant: Instant) -> Int {
        index { $0.simulatedEnd > instant }
    }

    /// The simulated instant at `wall` nanoseconds into the test.
    public func simulated(atWall wall: Int64) -> Instant {
        let step = steps[self.step(atWall: wall)]
        let offset = Int64(Double(min(wall, step.wallEnd) - step.wallStart) * step.speed)
        return min(step.simulatedStart + Interval(nanoseconds: offset), step.simulatedEnd)
    }

    /// When, in wall-clock nanoseconds into the test, the simulated clock reaches `instant`.
    public func wall(atSimulated instant: Instant) -> Int64 {
        let step = steps[self.step(atSimulated: instant)]
        let offset = Double(min(instant, step.simulatedEnd).nanoseconds - step.simulatedStart.nanoseconds) / step.speed
        return step.wallStart + Int64(offset)
    }

    /// The first step satisfying `isAtOrAfter`, which holds from some step on (binary search).
    private func index(where isAtOrAfter: (Step) -> Bool) -> Int {
        var low = 0
        var high = steps.count - 1
        while low < high {
            let middle = (low + high) / 2
            if isAtOrAfter(steps[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

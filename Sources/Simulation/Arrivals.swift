import Foundation
import PresenceCore
import Scenario

/// The arrivals of a behaviour with a profile: each offline client comes online as a non-homogeneous
/// Poisson process whose rate keeps the expected share online on the curve.
///
/// With share p(t) on the curve and spells of mean m ending at rate p/m, the share online follows
/// dp/dt = λ(t)(1 − p) − p/m, so the arrival rate per offline client is
/// λ(t) = (p'(t) + p(t)/m) / (1 − p(t)), clamped at 0 where the curve falls faster than spells end.
/// The rate is tabulated per cell (at most a minute, at least 16 cells per segment between points),
/// averaged over the cell by Simpson's rule, and its integral Λ(t) accumulated; the next arrival after t
/// is Λ⁻¹(Λ(t) + E) for one exponential draw E of mean 1 (inversion), so one arrival costs one draw.
final class ArrivalCurve: Sendable {
    /// Cell boundaries, seconds from the start of a cycle (the first is 0).
    private let times: [Double]
    /// Λ at each boundary.
    private let cumulative: [Double]
    /// The rate within each cell, per second.
    private let rates: [Double]
    /// The table's length: the repetition, or the last point's time.
    private let span: Double
    private let repeats: Bool
    /// The rate after the table when the curve does not repeat (the last share held).
    private let tailRate: Double

    /// The largest share the rate formula uses: at p = 1 the rate would be infinite.
    static let largestShare = 1 - 1e-6

    init(_ profile: Profile, spell: Distribution) {
        let meanSpell = spell.meanSeconds ?? .infinity
        var times = [0.0]
        var cumulative = [0.0]
        var rates: [Double] = []
        func addCell(to end: Double, rate: Double) {
            let start = times[times.count - 1]
            rates.append(rate)
            cumulative.append(cumulative[cumulative.count - 1] + rate * (end - start))
            times.append(end)
        }
        for (from, to) in zip(profile.points, profile.points.dropFirst()) {
            let (start, end) = (from.at.seconds, to.at.seconds)
            let slope = (to.share - from.share) / (end - start)
            let cells = min(1024, max(16, Int(((end - start) / 60).rounded(.up))))
            let width = (end - start) / Double(cells)
            func rate(at time: Double) -> Double {
                Self.rate(share: from.share + slope * (time - start), slope: slope, meanSpell: meanSpell)
            }
            for cell in 0..<cells {
                let low = start + Double(cell) * width
                let high = cell == cells - 1 ? end : low + width
                addCell(to: high, rate: (rate(at: low) + 4 * rate(at: (low + high) / 2) + rate(at: high)) / 6)
            }
        }
        let last = profile.points[profile.points.count - 1]
        let heldRate = Self.rate(share: last.share, slope: 0, meanSpell: meanSpell)
        if let period = profile.period, period > last.at { addCell(to: period.seconds, rate: heldRate) }
        self.times = times
        self.cumulative = cumulative
        self.rates = rates
        span = times[times.count - 1]
        repeats = profile.period != nil && span > 0
        tailRate = heldRate
    }

    /// λ for share `share` changing at `slope` per second, with spells of mean `meanSpell` seconds.
    static func rate(share: Double, slope: Double, meanSpell: Double) -> Double {
        let p = min(max(share, 0), largestShare)
        return max(0, (slope + p / meanSpell) / (1 - p))
    }

    /// The integrated rate from the start of the table to `time` (within it).
    private func integrated(_ time: Double) -> Double {
        guard !rates.isEmpty else { return 0 }
        // The last boundary at or before `time`.
        var low = 0
        var high = times.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if times[middle] <= time { low = middle } else { high = middle - 1 }
        }
        let cell = min(low, rates.count - 1)
        return cumulative[cell] + rates[cell] * (time - times[cell])
    }

    /// The time within the table at which Λ reaches `target` (0 ≤ target < Λ(span)).
    private func inverse(_ target: Double) -> Double {
        // The first cell whose end exceeds the target.
        var low = 0
        var high = rates.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle + 1] > target { high = middle } else { low = middle + 1 }
        }
        let rate = rates[low]
        return rate > 0 ? min(times[low] + (target - cumulative[low]) / rate, times[low + 1]) : times[low]
    }

    /// The first arrival after `now` (seconds from the start of the run) for the exponential draw `draw`
    /// of mean 1, or nil when none ever comes.
    func arrival(after now: Double, draw: Double) -> Double? {
        let total = cumulative[cumulative.count - 1]
        if repeats {
            guard total > 0 else { return nil }
            let cycles = (now / span).rounded(.down)
            let target = integrated(now - cycles * span) + draw
            let more = (target / total).rounded(.down)
            return (cycles + more) * span + inverse(target - more * total)
        }
        var base = now
        var remaining = draw
        if now < span {
            let target = integrated(now) + draw
            if target < total { return inverse(target) }
            base = span
            remaining = target - total
        }
        return tailRate > 0 ? base + remaining / tailRate : nil
    }

    /// The gap from `now` until the next arrival, drawing from `random`; nil when none ever comes.
    func nextGap(after now: Instant, _ random: inout RandomStream) -> Interval? {
        let start = Double(now.nanoseconds) / 1e9
        guard let arrival = arrival(after: start, draw: random.exponential(mean: 1)) else { return nil }
        return Interval(seconds: min(max(0, arrival - start), longestDraw.seconds))
    }
}

import Foundation

/// Student's t distribution, for confidence intervals across replications and Welch's test.
///
/// The distribution function is computed from the regularized incomplete beta function,
/// `P(T ≤ −|t|) = ½ I_{ν/(ν+t²)}(ν/2, ½)` (Abramowitz & Stegun 26.7.1 with 26.5.27), evaluated by its
/// continued fraction with the modified Lentz method (Press et al., *Numerical Recipes*, 3rd ed., §6.4).
/// Quantiles invert it by bisection, so they hold for any real ν > 0 — Welch–Satterthwaite degrees of
/// freedom are rarely whole. The tests check them against the published table of critical values
/// (NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.2).
public enum StudentT {
    /// P(T ≤ t) for T with `df` degrees of freedom (`df` > 0).
    public static func cdf(_ t: Double, df: Double) -> Double {
        guard t.isFinite else { return t > 0 ? 1 : 0 }
        let lowerTail = 0.5 * regularizedIncompleteBeta(df / (df + t * t), a: df / 2, b: 0.5)
        return t > 0 ? 1 - lowerTail : lowerTail
    }

    /// The `probability` quantile (0 < probability < 1) of the t distribution with `df` degrees of freedom.
    public static func quantile(_ probability: Double, df: Double) -> Double {
        if probability == 0.5 { return 0 }
        if probability < 0.5 { return -quantile(1 - probability, df: df) }
        var low = 0.0
        var high = 1.0
        while cdf(high, df: df) < probability { high *= 2 }
        // 200 halvings take any bracket below 2^1024 down to adjacent Doubles.
        for _ in 0..<200 {
            let middle = (low + high) / 2
            guard middle > low && middle < high else { break }
            if cdf(middle, df: df) < probability { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// The two-sided critical value for a `confidence` interval (0.95 → t₀.₉₇₅,ν).
    public static func critical(confidence: Double, df: Double) -> Double {
        quantile(1 - (1 - confidence) / 2, df: df)
    }

    /// I_x(a, b), the regularized incomplete beta function, for 0 ≤ x ≤ 1 and a, b > 0.
    static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        let front = exp(logFront)
        // The continued fraction converges fast for x below the mean a / (a + b); use symmetry above it.
        if x < (a + 1) / (a + b + 2) {
            return front * continuedFraction(x, a: a, b: b) / a
        }
        return 1 - front * continuedFraction(1 - x, a: b, b: a) / b
    }

    /// The continued fraction of I_x(a, b) (Numerical Recipes' `betacf`), by the modified Lentz method.
    private static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        let epsilon = 1e-15
        func guarded(_ value: Double) -> Double { abs(value) < tiny ? tiny : value }
        var c = 1.0
        var d = 1 / guarded(1 - (a + b) * x / (a + 1))
        var result = d
        for step in 1...100_000 {
            let m = Double(step)
            let even = m * (b - m) * x / ((a - 1 + 2 * m) * (a + 2 * m))
            d = 1 / guarded(1 + even * d)
            c = guarded(1 + even / c)
            result *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 1 + 2 * m))
            d = 1 / guarded(1 + odd * d)
            c = guarded(1 + odd / c)
            let delta = d * c
            result *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return result
    }
}

/// The mean, standard deviation and Student t confidence interval of a small sample: one metric's
/// values across independent replications.
public struct SampleInterval: Sendable, Equatable {
    public var count: Int
    public var mean: Double
    /// The sample standard deviation (divisor n − 1).
    public var stdev: Double
    public var low: Double
    public var high: Double

    /// The confidence level of every interval a report carries.
    public static let confidence = 0.95

    /// The interval of `values` (at least two, all finite): mean ± t₀.₉₇₅,n−1 · s / √n.
    ///
    /// - Parameter critical: t₀.₉₇₅,n−1, when the caller has it already (it depends only on the count).
    public init(_ values: [Double], critical: Double? = nil) {
        precondition(values.count >= 2, "an interval needs at least two values, got \(values.count)")
        count = values.count
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        self.mean = mean
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        stdev = (squares / (n - 1)).squareRoot()
        let t = critical ?? StudentT.critical(confidence: Self.confidence, df: n - 1)
        let halfWidth = t * stdev / n.squareRoot()
        low = mean - halfWidth
        high = mean + halfWidth
    }

    public init(count: Int, mean: Double, stdev: Double, low: Double, high: Double) {
        self.count = count
        self.mean = mean
        self.stdev = stdev
        self.low = low
        self.high = high
    }

    public var halfWidth: Double { (high - low) / 2 }

    public func overlaps(_ other: SampleInterval) -> Bool { low <= other.high && other.low <= high }
}

/// Welch's unequal-variances t-test of two means, with Welch–Satterthwaite degrees of freedom.
public struct WelchTest: Sendable, Equatable {
    /// t = (mean₂ − mean₁) / √(s₁²/n₁ + s₂²/n₂).
    public var t: Double
    /// ν = (s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁−1) + (s₂²/n₂)²/(n₂−1)).
    public var df: Double
    /// The two-sided p-value: the chance of a |t| this large if the means were equal.
    public var p: Double

    /// Tests `current` against `baseline`. Two samples without any spread differ significantly exactly
    /// when their means differ (p = 0 or 1).
    public init(_ baseline: SampleInterval, _ current: SampleInterval) {
        let v1 = baseline.stdev * baseline.stdev / Double(baseline.count)
        let v2 = current.stdev * current.stdev / Double(current.count)
        let difference = current.mean - baseline.mean
        let variance = v1 + v2
        guard variance > 0 else {
            t = difference == 0 ? 0 : (difference > 0 ? .infinity : -.infinity)
            df = .infinity
            p = difference == 0 ? 1 : 0
            return
        }
        t = difference / variance.squareRoot()
        df = variance * variance / (v1 * v1 / Double(baseline.count - 1) + v2 * v2 / Double(current.count - 1))
        p = min(1, 2 * StudentT.cdf(-abs(t), df: df))
    }

    /// Whether the means differ at `level` (two-sided; 0.95 by default).
    public func significant(at level: Double = SampleInterval.confidence) -> Bool { p < 1 - level }
}

import Foundation
import Reporting
import Testing

/// Student t quantiles and Welch's test against published values and closed forms.
@Suite struct StatisticsTests {
    /// Upper critical values t₀.₉₇₅,ν and t₀.₉₅,ν from the NIST/SEMATECH e-Handbook of Statistical Methods,
    /// §1.3.6.7.2 "Critical values of the Student's t distribution" (three decimals; ∞ is the normal's).
    static let table: [(df: Double, t975: Double, t95: Double)] = [
        (1, 12.706, 6.314), (2, 4.303, 2.920), (3, 3.182, 2.353), (4, 2.776, 2.132), (5, 2.571, 2.015),
        (6, 2.447, 1.943), (7, 2.365, 1.895), (8, 2.306, 1.860), (9, 2.262, 1.833), (10, 2.228, 1.812),
        (15, 2.131, 1.753), (19, 2.093, 1.729), (20, 2.086, 1.725), (30, 2.042, 1.697), (50, 2.009, 1.676),
        (100, 1.984, 1.660), (1e9, 1.960, 1.645),
    ]

    @Test func quantilesMatchThePublishedTable() {
        for row in Self.table {
            let t975 = StudentT.quantile(0.975, df: row.df)
            let t95 = StudentT.quantile(0.95, df: row.df)
            #expect(abs(t975 - row.t975) <= 0.0005, "t0.975 with \(row.df) df: \(t975), table \(row.t975)")
            #expect(abs(t95 - row.t95) <= 0.0005, "t0.95 with \(row.df) df: \(t95), table \(row.t95)")
            #expect(StudentT.critical(confidence: 0.95, df: row.df) == t975)
            #expect(StudentT.quantile(0.025, df: row.df) == -t975)
        }
        #expect(StudentT.quantile(0.5, df: 3) == 0)
    }

    /// One and two degrees of freedom have closed forms: the Cauchy distribution, 1/2 + atan(t)/π, and
    /// 1/2 + t / (2√(2 + t²)).
    @Test func distributionFunctionMatchesTheClosedForms() {
        for t in [-50.0, -3, -1, -0.25, 0, 0.5, 2, 7, 100] {
            #expect(abs(StudentT.cdf(t, df: 1) - (0.5 + atan(t) / Double.pi)) < 1e-12, "ν = 1, t = \(t)")
            #expect(abs(StudentT.cdf(t, df: 2) - (0.5 + t / (2 * (2 + t * t).squareRoot()))) < 1e-12, "ν = 2, t = \(t)")
        }
        // A fractional ν lies between its neighbours.
        let t = 2.0
        #expect(StudentT.cdf(t, df: 4) < StudentT.cdf(t, df: 4.5) && StudentT.cdf(t, df: 4.5) < StudentT.cdf(t, df: 5))
    }

    @Test func intervalIsMeanPlusMinusTTimesTheStandardError() {
        let interval = SampleInterval([1, 2, 3, 4, 5])
        #expect(interval.mean == 3)
        #expect(abs(interval.stdev - 2.5.squareRoot()) < 1e-12)
        let halfWidth = StudentT.quantile(0.975, df: 4) * 2.5.squareRoot() / 5.squareRoot()
        #expect(abs(interval.halfWidth - halfWidth) < 1e-12)
        #expect(abs(interval.low - (3 - halfWidth)) < 1e-12 && abs(interval.high - (3 + halfWidth)) < 1e-12)
        let constant = SampleInterval([7, 7, 7])
        #expect(constant.low == 7 && constant.high == 7 && constant.stdev == 0)
    }

    /// Welch–Satterthwaite degrees of freedom, and a difference of exactly t₀.₉₇₅ standard errors sitting
    /// at p = 0.05.
    @Test func welchDegreesOfFreedomAndPValue() {
        // Equal spreads and sizes: ν = 2(n − 1).
        let a = SampleInterval(count: 5, mean: 10, stdev: 1, low: 0, high: 0)
        let criticalDifference = StudentT.quantile(0.975, df: 8) * (0.4).squareRoot()
        let b = SampleInterval(count: 5, mean: 10 + criticalDifference, stdev: 1, low: 0, high: 0)
        let edge = WelchTest(a, b)
        #expect(abs(edge.df - 8) < 1e-9)
        #expect(abs(edge.p - 0.05) < 1e-9)
        // s₁ = 1, n₁ = 5 against s₂ = 3, n₂ = 10: ν = (0.2 + 0.9)² / (0.2²/4 + 0.9²/9) = 12.1.
        let c = SampleInterval(count: 10, mean: 11, stdev: 3, low: 0, high: 0)
        let unequal = WelchTest(a, c)
        #expect(abs(unequal.df - 12.1) < 1e-9)
        #expect(abs(unequal.t - 1 / 1.1.squareRoot()) < 1e-12)
        #expect(!unequal.significant())
        let far = SampleInterval(count: 5, mean: 20, stdev: 1, low: 0, high: 0)
        #expect(WelchTest(a, far).significant() && WelchTest(far, a).t < 0)
        // Without any spread, any difference is significant and none is not.
        let flat = SampleInterval(count: 3, mean: 4, stdev: 0, low: 4, high: 4)
        #expect(WelchTest(flat, flat).p == 1)
        #expect(WelchTest(flat, SampleInterval(count: 3, mean: 4.5, stdev: 0, low: 4.5, high: 4.5)).p == 0)
    }
}
